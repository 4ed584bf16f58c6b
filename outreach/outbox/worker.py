"""The delivery worker: claim due messages, send them over SMTP, record what the server said — and repeat.

A short write transaction claims a small batch (status `sending`, a lease, attempts + 1). The messages then go out
one by one, outside any transaction, and each answer is recorded in its own short transaction before the next
message is sent. If the worker dies while sending, the lease runs out (or, on the same machine, the next worker
sees the process is gone) and the message is sent again with the same Message-ID: at most one duplicate per
crash, none lost. Claimed messages it never got to are simply claimed again.

PostgreSQL: any number of workers claim with `FOR UPDATE SKIP LOCKED`. SQLite: run one worker.

The jobs are in their own modules: `claiming` (which due messages go now), `outcomes` (recording the server's
answer, the retry policy), `notices` (telling a supporter a letter failed) and `takeover` (a dead worker's
messages)."""

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from outreach.database import begin_write, utcnow
from outreach.extensions import db
from outreach.jobs import periodic_jobs
from outreach.outbox import pacing, states, takeover
from outreach.outbox.claiming import claim
from outreach.outbox.compose import build
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.outcomes import Attempt, record, record_sent, seconds_until_next_due
from outreach.outbox.queue import alert_organisers, control_row
from outreach.outbox.smtp import SENT, Sender

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
ALERT_CHECK_SECONDS = 60


@dataclass
class Claimed:
    """A message this worker has claimed, built and ready to hand over."""

    message_id: int
    attempt_no: int
    mail: Message
    envelope_from: str
    kind: str = LETTER


PERIODIC_SECONDS = 60


class Worker:
    """Delivers due messages: claims a small batch in one transaction, then sends them one by one, recording each
    answer in its own short transaction before the next message goes out (so a crash repeats at most one)."""

    def __init__(self, clock=utcnow) -> None:
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.clock = clock
        self.sender = Sender()
        self.batch: list[Claimed] = []
        self.lease_until: datetime | None = None
        self.pending: Attempt | None = None
        self.connection_trouble = False  # a failure was counted toward the breaker; the next success resets it
        self.heartbeat_at = 0.0
        self.alerts_checked_at = 0.0
        self.jobs_run_at = 0.0
        self.delivered = 0

    def run(self, once: bool = False, stop: threading.Event | None = None) -> None:
        """Deliver until `stop` is set (or, with `once`, until nothing is due any more)."""
        stop = stop or threading.Event()
        self.take_over_dead_local_workers()
        try:
            while not stop.is_set():
                wait = self.step()
                if wait is None:
                    continue
                if once:
                    break
                stop.wait(wait)
        finally:
            self._in_transaction(self._give_back_batch)
            self.sender.close()

    def step(self) -> float | None:
        """Send one message (claiming a batch first when none is left). Returns seconds to wait when there is
        nothing to send now, None after sending."""
        if not self.batch:
            self._run_periodic_jobs()
            claimed = self._in_transaction(self._claim_batch)
            if isinstance(claimed, float):
                self.sender.close()
                return claimed
            self.batch = claimed
        if self.lease_until is not None and self.clock() > self.lease_until - timedelta(seconds=self._lease() / 2):
            self._in_transaction(self._renew_lease)
        item = self.batch.pop(0)
        started = self.clock()
        outcome = self.sender.send(item.mail, item.envelope_from)
        self.pending = Attempt(item.message_id, item.attempt_no, started, self.clock(), outcome, item.kind)
        if outcome.result == SENT:
            self._in_transaction(lambda: None)  # records the answer before anything else happens
            self.delivered += 1
            return None
        # Records the answer and, when it paused sending (the server refused us, or the breaker tripped), hands the
        # rest of the batch back in the same transaction.
        self._in_transaction(self._give_back_batch_if_paused)
        log.warning(
            "message %s attempt %s: %s %s %s",
            item.message_id,
            item.attempt_no,
            outcome.result,
            outcome.code or "",
            outcome.text,
        )
        return None

    def _run_periodic_jobs(self) -> None:
        """Every minute, the housekeeping other rooms registered (confirmation reminders, expiry), each in its own
        transaction; a job that fails is logged and tried again next time, and never stops delivery."""
        if self.pending is not None or time.monotonic() - self.jobs_run_at < PERIODIC_SECONDS:
            return
        self.jobs_run_at = time.monotonic()
        for job, own_transactions in periodic_jobs(current_app):
            try:
                if own_transactions:
                    job(self.clock())
                else:
                    self._in_transaction(lambda job=job: job(self.clock()))
            except Exception:
                db.session.rollback()
                log.exception("periodic job %s failed", getattr(job, "__name__", job))

    def _in_transaction(self, work):
        """Run `work` in one write transaction (recording a pending answer first), retrying while the database is
        busy or unreachable: an answer that is not recorded would make the message go out twice."""
        delay = 0.2
        while True:
            try:
                begin_write()
                if self.pending is not None:
                    self._record(self.pending)
                result = work()
                db.session.commit()
                self.pending = None
                return result
            except OperationalError as error:
                db.session.rollback()
                log.warning("database not available (%s); trying again in %.1f s", error.orig, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _record(self, attempt: Attempt) -> None:
        if attempt.outcome.result == SENT and not self.connection_trouble:
            record_sent(attempt, self.id)
        else:
            record(attempt, self.id, self.clock())
            self.connection_trouble = attempt.outcome.connection_failed

    def _claim_batch(self) -> list[Claimed] | float:
        now = self.clock()
        config = current_app.config
        control = control_row(lock=float(config["OUTBOX_RATE"]) > 0)
        if time.monotonic() - self.heartbeat_at > HEARTBEAT_SECONDS:
            control.worker_seen_at = now
            self.heartbeat_at = time.monotonic()
        if time.monotonic() - self.alerts_checked_at > ALERT_CHECK_SECONDS:
            alert_organisers(control, now)
            self.alerts_checked_at = time.monotonic()
        if control.paused:
            if control.resume_at is None or control.resume_at > now:
                return float(config["OUTBOX_POLL_SECONDS"])
            control.paused, control.pause_reason, control.resume_at = False, None, None
            log.info("outbox resumes after an automatic pause")
        allowed, wait = pacing.take_tokens(control, now, int(config["OUTBOX_BATCH"]))
        if not allowed:
            return wait
        batch = [Claimed(m.id, m.attempts, build(m), m.envelope_from, m.kind) for m in claim(self.id, now, allowed)]
        pacing.give_back_tokens(control, allowed - len(batch))
        if not batch:
            return min(float(config["OUTBOX_POLL_SECONDS"]), seconds_until_next_due(now))
        self.lease_until = now + timedelta(seconds=self._lease())
        return batch

    def _lease(self) -> float:
        return float(current_app.config["OUTBOX_LEASE_SECONDS"])

    def _renew_lease(self) -> None:
        """A slow server is eating into the batch's lease: extend it for the messages not yet sent."""
        self.lease_until = self.clock() + timedelta(seconds=self._lease())
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([item.message_id for item in self.batch]), OutboxMessage.worker_id == self.id)
            .values(lease_until=self.lease_until)
        )

    def _give_back_batch(self) -> None:
        """Messages claimed but not sent go back to the queue as they were (the queue paused, or the worker stops)."""
        if self.batch:
            states.move_all(
                OutboxMessage.id.in_([item.message_id for item in self.batch]) & (OutboxMessage.worker_id == self.id),
                states.QUEUED,
                in_flight=True,
                attempts=OutboxMessage.attempts - 1,
                lease_until=None,
            )
            self.batch = []

    def _give_back_batch_if_paused(self) -> None:
        if control_row().paused:
            self._give_back_batch()

    def take_over_dead_local_workers(self) -> None:
        """Messages left `sending` by a dead worker process on this machine are due at once (`outbox.takeover`)."""
        self._in_transaction(lambda: takeover.release_dead_local_workers(self.clock()))
