"""nginx with the deploy/ configuration as a child process on loopback, for tests and the smoke run."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(18000, 19000)  # the ports these tests may use on a shared machine


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


_GIVEN: set[int] = set()  # the ports this process has handed out


def free_port(start: int = 18000) -> int:
    """A free port in start-18999, never one this process handed out before, and only of this test
    process's share: pytest-xdist's workers take every n-th port each, so two tests running at once
    in two workers cannot pick the same port between finding it free and binding it."""
    import os
    import random

    if len(_GIVEN) > 200:  # a long run: ports handed out long ago are free again
        _GIVEN.clear()
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:]
    index = int(worker) % count if worker.isdigit() else 0
    candidates = [port for port in PORTS if port >= start and port % count == index and port not in _GIVEN]
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _GIVEN.add(port)
            return port
    raise RuntimeError(f"no free port in {start}-18999")


def render(out: Path, snapshots: Path, app_ports: list[int], listen: int) -> Path:
    argv = [
        sys.executable,
        str(ROOT / "deploy" / "render-nginx"),
        "--out",
        str(out),
        "--snapshots",
        str(snapshots),
    ]
    for port in app_ports:
        argv += ["--app", f"127.0.0.1:{port}"]
    argv += ["--listen", f"127.0.0.1:{listen}", "--standalone"]
    subprocess.run(argv, check=True, capture_output=True, timeout=60)
    return out / "nginx.conf"


@contextmanager
def running_nginx(out: Path, snapshots: Path, app_ports: list[int]):
    """nginx serving the snapshots (and the app at app_ports); yields (port, reload)."""
    binary = nginx_binary()
    port = free_port()
    conf = render(out, snapshots, app_ports, port)
    argv = [binary, "-p", str(out), "-e", str(out / "error.log"), "-c", str(conf)]
    check = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def reload():
        subprocess.run([*argv, "-s", "reload"], check=True, timeout=30)
        time.sleep(0.5)

    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        yield port, reload
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def fetch(port: int, path: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) from nginx."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()
