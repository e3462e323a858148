"""The production stack on loopback: PostgreSQL with the app role under row-level security, Redis for
the rate limits, gunicorn with two processes, the worker (snapshots and mail), nginx with deploy/'s
configuration. Sign up, publish, rename, publish again, wait for the snapshot; then stop gunicorn:
every public URL of the notice still answers through nginx; the request form answers the translated
"temporarily unavailable" page; start gunicorn again and a request goes through.

Two variants of the public store: the worker writes nginx's folder itself (`local`), or it writes an
S3 bucket (a moto server on loopback) that `flask snapshots pull` mirrors into nginx's folder, as on
each of several web machines (`s3`); there the bucket is stopped too before the URLs are asked."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .nginx_support import free_port, nginx_binary, render
from .support import migrated_database, operator_url, skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TENANT, OLD, NEW = "kahvila-akero-oy", "asiakasrekisteri", "asiakkaat"


class _Form(HTMLParser):
    """The fields of the page's first form of class `needle`, as a browser sends them."""

    def __init__(self, needle: str):
        super().__init__()
        self.needle, self.inside, self.done, self.fields = needle, False, False, []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.needle in (a.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, needle: str) -> list[tuple[str, str]]:
    parser = _Form(needle)
    parser.feed(html)
    return parser.fields


def _wait(url: str, proc, seconds=30):
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} stopped with {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


BUCKET = "seloste-smoke"


class Stack:
    def __init__(self, tmp: Path, database_url: str, store: str = "local"):
        self.tmp = tmp
        self.store = store
        self.app_port, self.nginx_port = free_port(), free_port()
        self.snapshots = tmp / "snapshots"
        self.conf_dir = tmp / "nginx"
        self.mail = tmp / "mail"
        self.base = f"http://127.0.0.1:{self.nginx_port}"
        self.nginx_argv = [nginx_binary(), "-p", str(self.conf_dir), "-e", str(self.conf_dir / "error.log")]
        self.env = {
            **os.environ,
            "SELOSTE_ENV": "development",
            "SECRET_KEY": "smoke-secret-key-0123456789abcdef0123456789",
            "DATABASE_URL": database_url,
            "DATABASE_OPERATOR_URL": operator_url(database_url),
            "BASE_URL": self.base,
            "PROXY_COUNT": "1",
            "REDIS_URL": "redis://127.0.0.1:6379/13",
            "WEB_CONCURRENCY": "2",
            "BIND": f"127.0.0.1:{self.app_port}",
            "MAIL_TRANSPORT": "file",
            "MAIL_DIR": str(self.mail),
            "MAIL_DELIVER_AFTER_COMMIT": "0",  # the worker sends it
            "STORAGE_DIR": str(tmp / "files"),
            "SNAPSHOT_DIR": str(self.snapshots),
            "PDF_ON_REQUEST": "0",
            "SNAPSHOT_RELOAD_COMMAND": " ".join(
                [*self.nginx_argv, "-c", str(self.conf_dir / "nginx.conf"), "-s", "reload"]
            ),
            "FLASK_APP": "webapp",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.moto = None

    def start_bucket(self):
        """A moto S3 server on loopback; the worker writes the bucket, SNAPSHOT_DIR is the mirror."""
        import boto3
        from moto.server import ThreadedMotoServer

        port = free_port(18500)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
        self.moto.start()
        endpoint = f"http://127.0.0.1:{port}"
        self.env.update(
            {
                "SNAPSHOT_S3_BUCKET": BUCKET,
                "SNAPSHOT_S3_ENDPOINT_URL": endpoint,
                "S3_REGION": "eu-north-1",
                "AWS_ACCESS_KEY_ID": "smoke",
                "AWS_SECRET_ACCESS_KEY": "smoke",
            }
        )
        self.s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="eu-north-1",
            aws_access_key_id="smoke",
            aws_secret_access_key="smoke",
        )
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})

    def bucket_keys(self) -> set[str]:
        keys = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            keys.update(obj["Key"] for obj in page.get("Contents", []))
        return keys

    def stop_bucket(self):
        self.moto.stop()
        self.moto = None

    def start(self, name, argv):
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        # A session of its own, so that close() can end the process with everything it started.
        self.procs[name] = subprocess.Popen(
            argv, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
        return self.procs[name]

    def start_gunicorn(self):
        proc = self.start(
            "gunicorn", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "webapp:create_app()"]
        )
        try:
            _wait(f"http://127.0.0.1:{self.app_port}/healthz", proc)
        except AssertionError as exc:  # say why: the last lines gunicorn wrote
            tail = (self.tmp / "gunicorn.log").read_text(errors="replace").splitlines()[-8:]
            raise AssertionError(f"{exc}; gunicorn.log ends:\n" + "\n".join(tail)) from None

    def stop(self, name):
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM if name != "nginx" else signal.SIGQUIT)
        proc.wait(timeout=60)

    def flask(self, *args):
        return subprocess.run(
            [str(BIN / "flask"), *args], env=self.env, cwd=ROOT, check=True, capture_output=True, text=True
        )

    def close(self):
        for name in list(self.procs):
            # The whole group: nginx's workers outlive a master killed alone, and keep its port.
            try:
                os.killpg(self.procs[name].pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.procs[name].wait(timeout=30)
        if self.moto is not None:
            self.stop_bucket()


@pytest.fixture(params=["local", "s3"])
def stack(backend, tmp_path, request):
    if nginx_binary() is None:
        skip_or_fail("nginx is not installed (apt-get install nginx-light)")
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13").ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis on 127.0.0.1:6379 does not answer: {exc}")
    with migrated_database(f"smoke_{request.param}") as (_admin_url, _name, as_app):
        s = Stack(tmp_path, as_app, request.param)
        try:
            if s.store == "s3":
                s.start_bucket()
            yield s
        finally:
            s.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _mail_link(folder: Path, fragment: str, seconds=30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            body = (
                message_from_bytes(path.read_bytes(), policy=policy.default)
                .get_body(("plain",))
                .get_content()
            )
            found = re.search(r"https?://\S*" + re.escape(fragment) + r"\S+", body)
            if found:
                return found.group(0)
        time.sleep(0.3)
    raise AssertionError(f"no mail with {fragment}")


# What a firm answers and confirms before its first version (a starter answers nothing itself).
ANSWERS = {
    "basics": {"controller.email": "tietosuoja@akero.fi"},
    "purposes": {"requirement.kind": "contract_prerequisite"},
    "contact": {"dpo.appointed": "no"},
    "data": {"special_categories_used": "no"},
    "sources": {"collected_from": "both", "sources_public": "no"},
    "recipients": {"transfers.outside_eea": "no"},
    "cookies": {"cookies.used": "no"},
    "automated": {"automated_decisions.used": "no"},
}
PROPOSAL_STEPS = ("purposes", "data", "sources", "recipients", "retention", "security", "cookies", "rights")


def _answer_and_confirm(browser, base, nid):
    for step, answers in ANSWERS.items():
        url = f"{base}/app/notices/{nid}/steps/{step}"
        fields = [(k, v) for k, v in form_fields(browser.get(url).text, "wizard") if k not in answers]
        # The basics step's button both saves the controller's email and confirms its details.
        action = "confirm:controller" if step == "basics" else "save"
        r = browser.post(url, data=[*fields, *answers.items(), ("action", action)])
        assert r.status_code == 200, r.text[:500]
        if step == "basics":
            assert 'id="controller-confirmed"' in r.text, r.text[:500]
    for step in PROPOSAL_STEPS:
        url = f"{base}/app/notices/{nid}/steps/{step}"
        for _ in range(20):
            page = browser.get(url).text
            button = re.search(r'name="action" value="(confirm:[^"]+)"', page)
            if not button:
                break
            r = browser.post(url, data=[*form_fields(page, "wizard"), ("action", button.group(1))])
            assert r.status_code == 200, r.text[:500]


def _publish(browser, base, nid, note):
    page = browser.get(f"{base}/app/notices/{nid}").text
    r = browser.post(
        f"{base}/app/notices/{nid}/publish",
        data={"csrf_token": _csrf(page), "prepared_on": "2026-11-20", "change_note": note},
        allow_redirects=False,
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/app/notices/{nid}/published"), r.text[
        :500
    ]


@pytest.mark.postgresql_only
def test_notices_answer_through_nginx_while_the_app_is_down(stack):
    import requests

    s = stack
    render(s.conf_dir, s.snapshots, [s.app_port], s.nginx_port)
    nginx = s.start("nginx", [*s.nginx_argv, "-c", str(s.conf_dir / "nginx.conf")])
    s.start_gunicorn()
    s.start("worker", [str(BIN / "flask"), "snapshots", "work", "--worker", "--outbox", "--interval", "0.5"])
    if s.store == "s3":  # this web machine's mirror of the bucket (deploy/seloste-snapshots-pull.service)
        s.start("pull", [str(BIN / "flask"), "snapshots", "pull", "--watch", "--interval", "0.5"])
    _wait(f"{s.base}/healthz", nginx)

    browser = requests.Session()
    base = s.base
    signup = browser.get(f"{base}/signup").text
    r = browser.post(
        f"{base}/signup",
        data={
            "csrf_token": _csrf(signup),
            "company_name": "Kahvila Åkerö Oy",
            "business_id": "2617416-4",
            "name": "Aino Virtanen",
            "email": "aino@example.fi",
            "password": "pitkä salasana 1",
        },
    )
    assert r.url.endswith("/signup/done"), r.url
    verify = _mail_link(s.mail, "/verify/")  # sent by the worker, not by the web process
    assert browser.get(verify.replace(s.base, base)).url.endswith("/login")
    s.flask("tenants", "set-plan", TENANT, "pro")
    login = browser.get(f"{base}/login").text
    r = browser.post(
        f"{base}/login",
        data={"csrf_token": _csrf(login), "email": "aino@example.fi", "password": "pitkä salasana 1"},
    )
    assert r.url.endswith("/app/"), r.url
    new = browser.get(f"{base}/app/notices/new").text
    r = browser.post(
        f"{base}/app/notices/new",
        data={
            "csrf_token": _csrf(new),
            "title": "Asiakasrekisteri",
            "starter": "customer_register",
            "languages": ["fi", "sv", "en"],
            "primary_language": "fi",
        },
        allow_redirects=False,
    )
    nid = int(re.search(r"/app/notices/(\d+)/", r.headers["Location"]).group(1))
    _answer_and_confirm(browser, base, nid)
    _publish(browser, base, nid, "")
    # a new address (the old one redirects forever), then a second version
    basics = browser.get(f"{base}/app/notices/{nid}/steps/basics").text
    fields = [(k, v) for k, v in form_fields(basics, "wizard") if k != "notice.slug"]
    r = browser.post(f"{base}/app/notices/{nid}/steps/basics", data=[*fields, ("notice.slug", NEW)])
    assert r.status_code == 200
    _publish(browser, base, nid, "Uusi osoite")

    manifest = s.snapshots / TENANT / NEW / "@manifest.json"
    redirects = s.snapshots / "@redirects.map"

    def missing() -> list[str]:
        """What the mirror does not hold yet of the second version and the new address."""
        out = []
        if not (manifest.exists() and len(json.loads(manifest.read_text())["versions"]) == 2):
            out.append(f"a manifest of 2 versions at {NEW}")
        if not (s.snapshots / TENANT / NEW / "v/2.pdf/@d-fi").exists():
            out.append("the second version's Finnish PDF")
        if not (redirects.exists() and f"/{OLD}" in redirects.read_text()):
            out.append(f"the redirect from /{OLD}")
        return out

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and missing():
        time.sleep(0.5)
    if missing():
        logs = [
            (s.tmp / name).read_text()[-3000:]
            for name in ("worker.log", "pull.log")
            if (s.tmp / name).exists()
        ]
        raise AssertionError(f"the snapshots lack {', '.join(missing())}: " + "\n".join(logs))
    time.sleep(1)  # the reload after the new redirect
    if s.store == "s3":
        s.stop("worker")
        s.stop("pull")
        s.flask("snapshots", "pull")  # one last pull: the mirror holds exactly what the bucket holds
        mirrored = {
            "/".join(p.relative_to(s.snapshots).parts)
            for p in s.snapshots.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        }
        assert mirrored == s.bucket_keys() - {"@generation"} and len(mirrored) > 30
        assert (s.snapshots / TENANT / NEW / "v/2.pdf/@d-fi").read_bytes() == s.s3.get_object(
            Bucket=BUCKET, Key=f"{TENANT}/{NEW}/v/2.pdf/@d-fi"
        )["Body"].read()
        assert not list(s.snapshots.glob(f"{TENANT}/{OLD}/*"))  # the old address's files are gone
        s.stop_bucket()  # nginx needs neither the app nor the bucket

    s.stop("gunicorn")
    assert requests.get(f"{base}/login", timeout=10).status_code == 502  # the app is down indeed
    notice = f"{base}/{TENANT}/{NEW}"
    checked = {
        f"/{TENANT}/{NEW}?lang=fi": 200,
        f"/{TENANT}/{NEW}?lang=sv": 200,
        f"/{TENANT}/{NEW}?lang=en": 200,
        f"/{TENANT}/{NEW}": 200,
        f"/{TENANT}/{NEW}/v/1": 200,
        f"/{TENANT}/{NEW}/v/2?lang=sv": 200,
        f"/{TENANT}/{NEW}/history": 200,
        f"/{TENANT}/{NEW}/diff/1/2?lang=en": 200,
        f"/{TENANT}/{NEW}.json": 200,
        f"/{TENANT}/{NEW}/v/1.json": 200,
        f"/{TENANT}/{NEW}/v/2.pdf": 200,
        f"/{TENANT}/{NEW}/v/1.pdf?lang=sv": 200,
        f"/{TENANT}/{NEW}/feed.atom": 200,
        f"/{TENANT}": 200,
        f"/{TENANT}/{OLD}": 301,
        f"/{TENANT}/{OLD}.json": 301,
    }
    answers = {}
    for path, status in checked.items():
        r = requests.get(base + path, allow_redirects=False, timeout=10, headers={"Accept-Language": "sv"})
        answers[path] = r.status_code
        assert r.status_code == status, (path, r.status_code, r.text[:300])
    assert 'lang="sv"' in requests.get(notice + "?lang=sv", timeout=10).text
    assert requests.get(notice + "/v/2.pdf", timeout=10).content.startswith(b"%PDF")
    assert requests.get(f"{base}/{TENANT}/{OLD}", allow_redirects=False, timeout=10).headers["Location"] == (
        f"/{TENANT}/{NEW}"
    )
    (s.tmp / f"checked-urls-{s.store}.txt").write_text(
        "\n".join(f"{code} {path}" for path, code in answers.items())
    )
    form = requests.get(f"{notice}/request", headers={"Accept-Language": "en"}, timeout=10)
    assert form.status_code == 503 and "temporarily unavailable" in form.text
    form = requests.get(f"{notice}/request?lang=fi", timeout=10)
    assert form.status_code == 503 and "poissa käytöstä" in form.text

    s.start_gunicorn()
    form = requests.get(f"{notice}/request?lang=en", timeout=10)
    assert form.status_code == 200 and "<form" in form.text
    assert requests.get(f"{base}/login", timeout=10).status_code == 200
