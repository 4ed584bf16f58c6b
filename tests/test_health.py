"""/healthz for monitoring, and logs a collector can read that never carry a link's token."""

import json
import logging
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from outreach.database import utcnow
from outreach.extensions import db
from outreach.health import log_handler
from outreach.outbox import queue
from outreach.outbox.models import OutboxMessage
from tests.builders import notice
from tests.conftest import make_app


def test_healthy_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert response.json["queue_oldest_seconds"] == 0 and response.headers["Cache-Control"] == "no-store"


def test_degraded_when_mail_waits_and_no_worker_runs(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        message = notice("supporter@example.org")
        row = db.session.get(OutboxMessage, message.id)
        row.created_at = row.next_attempt_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    body = client.get("/healthz").json
    assert body["status"] == "degraded" and set(body["problems"]) == {"queue", "worker"}
    assert body["queue_oldest_seconds"] >= 3600


def test_unavailable_when_the_database_does_not_answer() -> None:
    app = make_app(
        "postgresql://nobody@127.0.0.1:1/nothing", SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {
        "status": "fail",
        "database": "unreachable",
        "error": "OperationalError",
    }


def test_json_logs_name_the_route_never_the_token(caplog, tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/log.sqlite", LOG_FORMAT="json")
    with app.app_context():
        db.create_all()
    with caplog.at_level(logging.INFO, logger="outreach.requests"):
        app.test_client().get("/confirm/secret-token-123")
    [record] = [r for r in caplog.records if r.name == "outreach.requests"]
    line = json.loads(log_handler().format(record))
    assert line["route"] == "/confirm/<token>" and line["status"] in (400, 410)
    assert "secret-token-123" not in json.dumps(line) and line["levelname"] == "INFO"
    assert isinstance(line["duration_ms"], float)


def test_the_health_check_and_the_organisers_banner_agree_when_no_worker_is_running(
    app: Flask, client: FlaskClient
) -> None:
    """One threshold (OUTBOX_WORKER_SILENT_SECONDS) decides "no worker" for both, so a monitor and an organiser
    hear of a stopped worker at the same moment."""
    app.config["OUTBOX_WORKER_SILENT_SECONDS"] = 200
    with app.app_context():
        notice("supporter@example.org")
        control = queue.control_row()
        for seen_ago, silent in [(150, False), (250, True)]:
            control.worker_seen_at = utcnow() - timedelta(seconds=seen_ago)
            db.session.commit()
            assert ("no_worker" in queue.problems()) is silent
            assert ("worker" in client.get("/healthz").json.get("problems", [])) is silent
