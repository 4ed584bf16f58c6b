"""gunicorn settings for Outreach behind Caddy or nginx (see docs/deploy.md). Every value can be overridden with the
environment variables below, so the systemd unit stays the same on a bigger machine."""

import os

bind = os.environ.get("OUTREACH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OUTREACH_WEB_WORKERS", "4"))  # about 2 per core
threads = int(os.environ.get("OUTREACH_WEB_THREADS", "2"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # a worker is replaced now and then, so a slow leak never grows
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
# No access log here: Outreach logs each request itself, by route and without the path's tokens (LOG_FORMAT).
accesslog = None
errorlog = "-"
wsgi_app = "wsgi:app"
