"""gunicorn settings for Outreach behind Caddy or nginx (see docs/deploy.md). Every value can be overridden with the
environment variables below, so the systemd unit stays the same on a bigger machine."""

import os

bind = os.environ.get("OUTREACH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OUTREACH_WEB_WORKERS", "4"))  # about 2 processes per core
# One thread per process, as bench/RESULTS.md measured it. More threads are safe on the Pythons Outreach supports
# (3.12+): the worker crashes once blamed on threads were CPython 3.11's collector, with one thread as with two
# (docs/deploy.md, section 12).
threads = int(os.environ.get("OUTREACH_WEB_THREADS", "1"))
worker_class = "gthread"
timeout = 60
# Idle connections from the proxy stay open this long; a short keep-alive makes gthread close connections that have
# a request waiting for a free thread under load.
keepalive = 30
graceful_timeout = 30
forwarded_allow_ips = "127.0.0.1"
# No access log here: Outreach logs each request itself, by route and without the path's tokens (LOG_FORMAT).
accesslog = None
errorlog = "-"
wsgi_app = "wsgi:app"
