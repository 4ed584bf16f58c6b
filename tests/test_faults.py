"""Fault runs at small sizes (the full sizes are in bench/faults.py): T1-T5 of the reliability requirements, the web
tier with its database locked or its disk full, the SyncFeed going down mid-sync, the IMAP line dropping mid-fetch.
Nothing is lost, duplicates come only from kills and carry the same Message-ID, a fault costs a wait, not a letter."""

import re
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from outreach.database import utcnow
from outreach.directory.delivery import is_undeliverable
from outreach.extensions import db
from outreach.outbox import queue
from outreach.outbox.models import DeliveryAttempt, OutboxMessage
from outreach.outbox.worker import HEARTBEAT_SECONDS
from tests.builders import account
from tests.conftest import log_in, make_app
from tests.faults import (
    disk_full_run,
    hung_run,
    imap_drop_run,
    kill_run,
    lock_holder,
    locked_run,
    outage_run,
    parallel_run,
    refusal_run,
    sync_outage_run,
)

# Real processes, servers and clocks: run on their own, one at a time, after the rest of the suite (Makefile).
pytestmark = pytest.mark.realtime


def database_url(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_t1_killing_the_worker_loses_nothing_and_duplicates_only_what_was_in_flight(app: Flask) -> None:
    with app.app_context():
        result = kill_run(database_url(app), messages=240, kills=6)
        assert result.ok and result.distinct_delivered == 240, result.line()
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
        assert result.ok and result.duplicates == 0, result.line()
        retried = db.session.scalar(select(func.max(OutboxMessage.attempts)))
        assert 2 <= retried <= 12  # the outage cost retries, bounded by the backoff schedule


def test_t3_permanent_refusals_fail_exactly_those_letters_once_and_tell_their_supporters(app: Flask) -> None:
    with app.app_context():
        result = refusal_run(database_url(app), messages=200)
        assert result.ok and result.duplicates == 0, result.line()
        assert "12 failed (10 refused at RCPT, 2 at DATA)" in result.details
        assert is_undeliverable("lid20@tweedekamer.example")  # refused at RCPT: the address is flagged
        assert not is_undeliverable("lid7@tweedekamer.example")  # refused at DATA: the message, not the address


def test_t4_a_hung_server_costs_a_timeout_per_attempt_and_the_worker_keeps_beating(app: Flask) -> None:
    # The hang lasts more than three of the worker's 5-second heartbeats, so two are seen however loaded the machine.
    with app.app_context():
        result = hung_run(database_url(app), messages=100, hang_seconds=3 * HEARTBEAT_SECONDS + 1, smtp_timeout=2)
        assert result.ok and result.duplicates == 0, result.line()
        longest = float(re.search(r"attempts on the hung server, the longest ([\d.]+) s", result.details).group(1))
        assert 2 <= longest < 6, result.details  # an attempt costs its timeout (2 s), not the whole hang


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_t5_a_locked_database_costs_the_worker_a_wait_and_a_supporter_at_most_a_retry(app: Flask) -> None:
    with app.app_context():
        result = locked_run(database_url(app), messages=60, holds=(1.0, 6.0), spread=4, web_busy_timeout_ms=2000)
        assert result.ok and result.duplicates == 0, result.line()
        assert "× 503" in result.details  # the 6-second lock outlasted the web tier's 2-second wait three times


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_an_organisers_change_during_a_long_lock_is_refused_whole(app: Flask) -> None:
    with app.app_context():
        account("org@example.org", "organiser")
        queue.pause(queue.control_row(), "paused by hand", utcnow(), automatic=False, by="org@example.org")
        db.session.commit()
    organiser = make_app(database_url(app), SQLITE_BUSY_TIMEOUT_MS=200).test_client()  # waits 0.2 s for a lock
    assert log_in(organiser, "org@example.org").status_code == 302
    locked = threading.Event()
    holder = threading.Thread(target=lock_holder(database_url(app).removeprefix("sqlite:///"), 1.5, locked))
    holder.start()
    locked.wait()
    response = organiser.post("/admin/outbox/resume")
    holder.join()
    assert response.status_code == 503 and "er is niets opgeslagen" in response.get_data(as_text=True)
    with app.app_context():
        assert queue.control_row().paused  # the resume did not half-happen


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_full_disk_costs_a_supporter_a_retry_not_a_letter(app: Flask) -> None:
    with app.app_context():
        result = disk_full_run(database_url(app), letters=30)
        assert result.ok, result.line()
        assert "× 503" in result.details  # told to try again while the disk was full (pages still free got used)


def test_the_syncfeed_going_down_mid_sync_leaves_the_directory_and_the_next_sync_resumes(app: Flask) -> None:
    with app.app_context():
        result = sync_outage_run(history=300, outages=2, after=8)
        assert result.ok, result.line()
        assert "the same as a clean sync's directory" in result.details


def test_the_mailbox_dropping_every_line_mid_fetch_stores_each_answer_once(app: Flask) -> None:
    with app.app_context():
        result = imap_drop_run(messages=40, limit=30_000)
        assert result.ok, result.line()
        assert "0 left in the inbox" in result.details


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_three_workers_on_postgresql_deliver_each_message_exactly_once(app: Flask) -> None:
    with app.app_context():
        result = parallel_run(database_url(app), messages=600, workers=3)
        assert result.ok and result.duplicates == 0, result.line()
        workers = db.session.scalar(select(func.count(func.distinct(DeliveryAttempt.worker_id))))
        assert workers == 3  # all three took part
