"""The delivery worker: claim due messages, send them over SMTP, record what the server said — and repeat.

A short write transaction claims a small batch (status `sending`, a lease, attempts + 1). The messages then go out
one by one, outside any transaction, and each answer is recorded in its own short transaction before the next
message is sent. If the worker dies while sending, the lease runs out (or, on the same machine, the next worker
sees the process is gone) and the message is sent again with the same Message-ID: at most one duplicate per
crash, none lost. Claimed messages it never got to are simply claimed again.

PostgreSQL: any number of workers claim with `FOR UPDATE SKIP LOCKED`. SQLite: run one worker."""

import logging
import os
import random
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.exc import OperationalError

from outreach.database import begin_write, utcnow
from outreach.directory.delivery import flag_undeliverable, letter_block
from outreach.extensions import db
from outreach.jobs import periodic_jobs
from outreach.outbox import digest, hours, pacing, states
from outreach.outbox.compose import Recipient, build, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import DIGEST, LETTER, NOTICE, TO_MEMBERS, DeliveryAttempt, OutboxMessage
from outreach.outbox.queue import CONNECTION_FAILURES, alert_organisers, control_row, pause
from outreach.outbox.smtp import FAILED, GAVE_UP, INTERRUPTED_ATTEMPT, PAUSE, SENT, Outcome, Sender

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
ALERT_CHECK_SECONDS = 60
INTERRUPTED = "interrupted"  # logged for an attempt whose worker died before it could record the answer


@dataclass
class Attempt:
    """A message handed to the mail server and what came back, waiting to be recorded."""

    message_id: int
    attempt_no: int
    started_at: datetime
    finished_at: datetime
    outcome: Outcome
    kind: str = LETTER


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
        """Messages left `sending` by a worker process on this machine that no longer exists are due at once,
        instead of when their lease runs out (a restart after a crash carries on straight away)."""

        def release() -> None:
            host = socket.gethostname()
            rows = db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.status == states.SENDING, OutboxMessage.worker_id.like(f"{host}:%")
                )
            )
            for row in rows:
                pid = int(row.worker_id.split(":")[1])
                if pid != os.getpid() and not _process_exists(pid):
                    row.lease_until = self.clock()

        self._in_transaction(release)


def claim(worker_id: str, now: datetime, limit: int = 1) -> list[OutboxMessage]:
    """Take up to `limit` due messages for `worker_id` (in the caller's write transaction), holding or putting off
    the ones that may not go out now."""
    claimed: list[OutboxMessage] = []
    for _ in range(50):  # rounds: a message held or put off makes room for the next one
        if len(claimed) >= limit:
            break
        stmt = (
            pacing.in_turns(select(OutboxMessage), now)
            .where(
                or_(
                    and_(OutboxMessage.status.in_(states.WAITING), OutboxMessage.next_attempt_at <= now),
                    and_(OutboxMessage.status == states.SENDING, OutboxMessage.lease_until < now),
                )
            )
            .limit(limit - len(claimed))
            .with_for_update(of=OutboxMessage, skip_locked=True)
        )
        found = db.session.scalars(stmt).all()
        if not found:
            break
        members: set[str] = set()  # one letter per member a round: the member with fewest today goes first
        for message in found:
            if message.kind in TO_MEMBERS:
                if message.recipient.lower() in members:
                    continue  # their next letter waits for the next round, after the other members' turn
                members.add(message.recipient.lower())
            if _may_go(message, now):
                states.move(message, states.SENDING)  # so the next round's query passes it by
                message.attempts += 1
                message.worker_id = worker_id
                message.lease_until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
                message.first_attempt_at = message.first_attempt_at or now
                message.last_attempt_at = now
                claimed.append(message)
    return claimed


def _may_go(message: OutboxMessage, now: datetime) -> bool:
    """False (after failing, holding or putting it off) for a message that may not be sent now."""
    taken_over = message.status == states.SENDING
    if taken_over:
        interrupted = Outcome(INTERRUPTED, None, INTERRUPTED_ATTEMPT)
        _log_attempt(
            message.id, message.attempts, message.worker_id or "?", message.last_attempt_at or now, now, interrupted
        )
    if _gave_up(message, now):
        fail(message, None, GAVE_UP % {"count": message.attempts}, now)
        return False
    if message.member_id is not None:
        reason, address = letter_block(message.member_id)
        if reason:
            states.move(message, states.HELD)
            message.hold_reason = reason
            return False
        if address and address != message.recipient:
            message.recipient = address
    if hours.put_off(message, now):
        if message.status == states.SENDING:
            states.move(message, states.QUEUED)
        return False
    # A digest has no cap of its own (it is what comes past the cap) but counts toward the day's letters.
    if message.kind in TO_MEMBERS and not taken_over and not pacing.take_daily_slot(message, now):
        if not digest.wait_for_digest(message, now):
            states.move(message, states.QUEUED)
            message.next_attempt_at = pacing.start_of_next_day(now)
        return False
    return True


def record_sent(attempt: Attempt, worker_id: str) -> None:
    """The common case, kept lean: the server accepted the message (one UPDATE and one INSERT).

    On PostgreSQL this commit does not wait for the disk: should the database server itself crash within the
    next fraction of a second, the record is lost and the message goes out again with the same Message-ID — a
    duplicate, never a loss — and the worker sends several times faster.
    """
    outcome = attempt.outcome
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    moved = states.move_all(
        (OutboxMessage.id == attempt.message_id) & (OutboxMessage.worker_id == worker_id),
        states.SENT,
        in_flight=True,
        sent_at=attempt.finished_at,
        lease_until=None,
        last_code=outcome.code,
        last_text=outcome.text,
    )
    if moved:
        _log_attempt(
            attempt.message_id, attempt.attempt_no, worker_id, attempt.started_at, attempt.finished_at, outcome
        )
        if attempt.kind == DIGEST:
            digest.delivered(attempt.message_id, attempt.finished_at)
    else:
        log.warning("message %s was taken over by another worker while this one sent it", attempt.message_id)


def record(attempt: Attempt, worker_id: str, now: datetime) -> None:
    """Store what the mail server said about a message this worker sent (in the caller's write transaction)."""
    message = db.session.get(OutboxMessage, attempt.message_id, with_for_update=True)
    outcome = attempt.outcome
    if message is None or message.status != states.SENDING or message.worker_id != worker_id:
        log.warning("message %s was taken over by another worker while this one sent it", attempt.message_id)
        return
    _log_attempt(message.id, attempt.attempt_no, worker_id, attempt.started_at, attempt.finished_at, outcome)
    message.lease_until = None
    message.last_code, message.last_text = outcome.code, outcome.text
    control = control_row()
    control.connection_failures = control.connection_failures + 1 if outcome.connection_failed else 0
    if outcome.result == SENT:
        states.move(message, states.SENT)
        message.sent_at = attempt.finished_at
        control.breaker_trips = 0
        if message.kind == DIGEST:
            digest.delivered(message.id, attempt.finished_at)
    elif outcome.result == FAILED:
        fail(message, outcome.code, outcome.text, now, address_refused=outcome.recipient_refused)
    elif outcome.result == PAUSE:
        states.move(message, states.QUEUED)  # the server refused us, not this message: the attempt does not count
        message.attempts -= 1
        message.next_attempt_at = now
        pause(control, f"{outcome.code or ''} {outcome.text}".strip(), now, automatic=outcome.resumes_by_itself)
    else:
        states.move(message, states.RETRY_WAIT)
        message.next_attempt_at = now + retry_delay(message.attempts)
        if control.connection_failures >= current_app.config["OUTBOX_BREAKER_FAILURES"]:
            pause(control, CONNECTION_FAILURES % {"count": control.connection_failures, "error": outcome.text}, now)


def fail(message: OutboxMessage, code: int | None, text: str, now: datetime, address_refused: bool = False) -> None:
    """Give a message up for good: flag a refused address in the directory, tell the supporter about their letter."""
    states.move(message, states.FAILED)
    message.lease_until = None
    message.last_code, message.last_text = code, text
    if address_refused and message.kind in TO_MEMBERS:  # the directory keeps members' addresses, not supporters'
        flag_undeliverable(message.recipient, f"{code} {text}", now)
    if message.kind == LETTER and message.supporter_email:
        notify_supporter(message)
    if message.kind == DIGEST:
        for letter in digest.failed(message.id):
            if letter.supporter_email:
                notify_supporter(letter)


def notify_supporter(letter: OutboxMessage) -> None:
    """Tell the supporter their letter could not be delivered, with a copy so they can send it another way, in the
    supporter's own language (the letter may be in another)."""
    language = letter.supporter_language or letter.language
    text = render_email(
        "undeliverable",
        language,
        supporter_name=letter.supporter_name or "",
        recipient_name=letter.recipient_name or "",
        recipient=letter.recipient_name or letter.recipient,
        letter_subject=letter.subject,
        letter_body=letter.body,
    )
    recipient = Recipient(letter.supporter_name, letter.supporter_email)
    enqueue(NOTICE, recipient, text.subject, text.body, language=language)


def retry_delay(attempts: int) -> timedelta:
    """Capped exponential backoff with jitter: by default about 1, 5 and 25 minutes, then every 2 hours."""
    config = current_app.config
    delay = min(config["OUTBOX_RETRY_MAX"], config["OUTBOX_RETRY_BASE"] * 5 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def seconds_until_next_due(now: datetime) -> float:
    due = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status.in_(states.WAITING))
    )
    return max((due - now).total_seconds(), 0.05) if due else float("inf")


def _gave_up(message: OutboxMessage, now: datetime) -> bool:
    config = current_app.config
    too_long = message.first_attempt_at and now - message.first_attempt_at > timedelta(
        seconds=config["OUTBOX_GIVE_UP_AFTER"]
    )
    return bool(too_long) or message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]


def _log_attempt(
    message_id: int, attempt_no: int, worker_id: str, started: datetime, finished: datetime, outcome: Outcome
) -> None:
    db.session.execute(
        insert(DeliveryAttempt).values(
            message_id=message_id,
            attempt_no=attempt_no,
            worker_id=worker_id,
            started_at=started,
            finished_at=finished,
            outcome=outcome.result,
            code=outcome.code,
            text=outcome.text,
        )
    )


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
