"""Gunicorn settings for the web processes (`gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'`)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The app reads it: with more than one process, production refuses rate limits kept in memory.
os.environ["WEB_CONCURRENCY"] = str(workers)
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
# The app logs one JSON line per request itself (webapp/observability.py): no second access log.
accesslog = None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A process that ends takes its live metrics with it (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
