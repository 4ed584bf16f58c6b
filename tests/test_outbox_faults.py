"""Fault runs at small sizes (T1-T5 of the reliability requirements; the full sizes are in bench/): nothing is lost,
duplicates come only from kills and carry the same Message-ID, a locked database costs a wait, not a letter."""

import sqlite3
import threading
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.directory.delivery import is_undeliverable
from outreach.extensions import db
from outreach.outbox import queue
from outreach.outbox.compose import Campaign, Recipient, Supporter, enqueue_letter
from outreach.outbox.models import LETTER, NOTICE, DeliveryAttempt, OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import notice
from tests.conftest import log_in, logged_in, make_app
from tests.outbox_faults import kill_run, outage_run, parallel_run
from tests.smtpserver import SinkServer
from tests.test_outbox_delivery import delivery_config


def database_url(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_t1_killing_the_worker_loses_nothing_and_duplicates_only_what_was_in_flight(app: Flask) -> None:
    with app.app_context():
        result = kill_run(database_url(app), messages=240, kills=6)
        assert result.lost == 0 and result.unknown == 0, result.line()
        assert result.distinct_delivered == 240
        assert result.duplicates <= result.kills, result.line()
        assert result.attempts >= result.deliveries  # every delivery, even an interrupted one, is in the log
        sent_without_2xx = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(~OutboxMessage.delivery_attempts.any(DeliveryAttempt.code == 250))
        )
        assert sent_without_2xx == 0


def test_t2_an_smtp_outage_mid_batch_loses_nothing_and_sends_nothing_twice(app: Flask) -> None:
    with app.app_context():
        result = outage_run(database_url(app), messages=200, outage_seconds=1.5)
        assert (result.lost, result.duplicates, result.unknown) == (0, 0, 0), result.line()
        retried = db.session.scalar(select(func.max(OutboxMessage.attempts)))
        assert 2 <= retried <= 12  # the outage cost retries, bounded by the backoff schedule


@pytest.fixture
def server():
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return delivery_config(server.port)


def test_t3_permanent_refusals_fail_exactly_those_letters_once_and_tell_their_supporters(
    app: Flask, server: SinkServer
) -> None:
    refused = {f"lid{n}@tweedekamer.example" for n in range(0, 200, 20)}  # 5 %
    too_big = {f"lid{n}@tweedekamer.example" for n in (7, 107)}  # 1 %
    server.sink.refuse_rcpt.update(dict.fromkeys(refused, "550 5.1.1 No such user"))
    server.sink.refuse_data.update(dict.fromkeys(too_big, "552 5.3.4 Message too big"))
    with app.app_context():
        for n in range(200):
            enqueue_letter(
                Recipient(f"Lid {n}", f"lid{n}@tweedekamer.example"),
                Supporter(f"Steun {n}", f"steun{n}@example.org"),
                Campaign(1, "Khojaly", "http://127.0.0.1:5000/c"),
                "Brief",
                "Tekst",
            )
        db.session.commit()
        Worker().run(once=True)
        failed = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == LETTER, OutboxMessage.status == "failed")
        ).all()
        assert {m.recipient for m in failed} == refused | too_big
        assert all(m.attempts == 1 for m in failed)  # no retries
        assert all(is_undeliverable(address) for address in refused)
        assert not any(is_undeliverable(address) for address in too_big)
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).all()
        assert sorted(n.recipient for n in notices) == sorted(m.supporter_email for m in failed)
        assert {n.status for n in notices} == {"sent"}
        sent = db.session.scalar(
            select(func.count()).where(OutboxMessage.status == "sent", OutboxMessage.kind == LETTER)
        )
        assert sent == 200 - len(refused | too_big)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_t5_a_database_locked_by_another_writer_costs_a_wait_not_a_letter(
    app: Flask, server: SinkServer, client: FlaskClient
) -> None:
    path = database_url(app).removeprefix("sqlite:///")
    with app.app_context():
        for n in range(30):
            notice(f"steun{n}@example.org")
        organiser = logged_in(app, client, "org@example.org", "organiser")
        locked = threading.Event()
        holder = threading.Thread(target=hold_lock_for(path, locked, 2.0))
        holder.start()
        locked.wait()
        Worker().run(once=True)  # waits for the lock, then delivers everything
        response = organiser.post("/admin/outbox/pause")  # a web write during the lock waits too
        holder.join()
        assert response.status_code == 302
        assert len(server.sink.delivered) == 30
        assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 30

    # held longer than the web tier waits: a friendly 503, and nothing half-written
    impatient = make_app(database_url(app), SQLITE_BUSY_TIMEOUT_MS=200)
    organiser = impatient.test_client()
    assert log_in(organiser, "org@example.org").status_code == 302
    locked.clear()
    holder = threading.Thread(target=hold_lock_for(path, locked, 1.5))
    holder.start()
    locked.wait()
    response = organiser.post("/admin/outbox/resume")
    holder.join()
    assert response.status_code == 503
    assert "druk" in response.get_data(as_text=True)
    with app.app_context():
        assert queue.control_row().paused  # the resume did not half-happen


def hold_lock_for(path: str, locked: threading.Event, seconds: float):
    """Another process's writer: holds SQLite's exclusive lock for `seconds`."""

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    return hold


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_three_workers_on_postgresql_deliver_each_message_exactly_once(app: Flask) -> None:
    with app.app_context():
        result = parallel_run(database_url(app), messages=600, workers=3)
        assert (result.lost, result.duplicates, result.unknown) == (0, 0, 0), result.line()
        workers = db.session.scalar(select(func.count(func.distinct(DeliveryAttempt.worker_id))))
        assert workers == 3  # all three took part
