"""Gunicorn settings for the web processes (`gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'`)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The app reads it: with more than one process, production refuses rate limits kept in memory.
os.environ["WEB_CONCURRENCY"] = str(workers)
# One thread per process: sync workers, which accept a connection only when idle and close it after
# the answer, so every request from nginx goes to a process that is free. A threaded (gthread)
# process accepts while its threads are busy and keeps nginx's connections alive, so requests queue
# on one process while another idles: on 2 CPUs at 1 M requests, 5 threaded processes of 2 gave the
# inbox list a p95 of 98-108 ms where 5 sync ones gave 58-74 (bench/inbox_http --setup 5x2+nginx
# --setup 5x1+nginx). The app's requests are CPU and database work; the few that wait on another
# service (opening Stripe's checkout or portal, a file in S3) are rare and hold one process briefly.
# WEB_THREADS above 1 makes gunicorn use gthread workers.
threads = int(os.environ.get("WEB_THREADS", "1"))
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
