"""`/healthz` for load balancers and monitoring, and the application's logs: one line per request (the route, not
the address, which may carry a token), as text or as JSON lines for a log collector."""

import logging
import time
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from outreach.database import utcnow
from outreach.directory.models import SyncRun
from outreach.extensions import db
from outreach.outbox.models import OutboxControl
from outreach.outbox.queue import CONTROL_ID, delivery_problems, oldest_waiting

bp = Blueprint("health", __name__)
requests_log = logging.getLogger("outreach.requests")
HEALTH_NAMES = {"slow": "queue", "no_worker": "worker"}  # the outbox's problem names as monitors know them


def _age(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else int((now - moment).total_seconds())


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the numbers when the database answers (status "degraded" and the reasons when mail waits too long,
    no worker was seen lately, or the directory sync is old); 503 when the database does not answer."""
    now = utcnow()
    config = current_app.config
    try:
        db.session.execute(text("SELECT 1"))
        queue_age = oldest_waiting(now)
        control = db.session.get(OutboxControl, CONTROL_ID)
        last_sync = db.session.scalar(select(func.max(SyncRun.finished_at)).where(SyncRun.status == "succeeded"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="fail", database="unreachable", error=type(error).__name__), 503
    body = {
        "status": "ok",
        "database": "ok",
        "queue_oldest_seconds": int(queue_age.total_seconds()) if queue_age else 0,
        "worker_seen_seconds_ago": _age(control.worker_seen_at if control else None, now),
        "last_sync_seconds_ago": _age(last_sync, now),
    }
    # The organisers' banner asks the same question of the outbox, so both say "stuck" at the same moment.
    problems = [HEALTH_NAMES[problem] for problem in delivery_problems(control, queue_age, now)]
    if body["last_sync_seconds_ago"] is not None and body["last_sync_seconds_ago"] > config["HEALTH_SYNC_MAX_AGE"]:
        problems.append("sync")
    if problems:
        body["status"], body["problems"] = "degraded", problems
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200


def log_handler() -> logging.Handler:
    """The one handler on the "outreach" logger (made on first use; an application made later reconfigures it)."""
    root = logging.getLogger("outreach")
    for handler in root.handlers:
        if getattr(handler, "outreach", False):
            return handler
    handler = logging.StreamHandler()
    handler.outreach = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return handler


def configure_logging(app: Flask) -> None:
    """Log to stderr in the configured format (LOG_FORMAT text or json) at LOG_LEVEL, and one line per request."""
    root = logging.getLogger("outreach")
    handler = log_handler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        route = request.url_rule.rule if request.url_rule else "(no route)"
        requests_log.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,  # the rule, never the path: paths carry tokens
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
        return response
