"""Recording what the mail server said about a message, and the retry policy: sent, to be retried (capped
exponential backoff), failed for good (the supporter told, a refused address flagged), or the whole queue paused
(circuit breaker). A digest's letters share its outcome."""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, text

from outreach.directory.delivery import flag_undeliverable
from outreach.extensions import db
from outreach.outbox import digest, states
from outreach.outbox.models import DIGEST, LETTER, TO_MEMBERS, DeliveryAttempt, OutboxMessage
from outreach.outbox.notices import notify_supporter
from outreach.outbox.queue import CONNECTION_FAILURES, control_row, pause
from outreach.outbox.smtp import FAILED, PAUSE, SENT, Outcome

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """A message handed to the mail server and what came back, waiting to be recorded."""

    message_id: int
    attempt_no: int
    started_at: datetime
    finished_at: datetime
    outcome: Outcome
    kind: str = LETTER


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
        log_attempt(attempt.message_id, attempt.attempt_no, worker_id, attempt.started_at, attempt.finished_at, outcome)
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
    log_attempt(message.id, attempt.attempt_no, worker_id, attempt.started_at, attempt.finished_at, outcome)
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


def log_attempt(
    message_id: int, attempt_no: int, worker_id: str, started: datetime, finished: datetime, outcome: Outcome
) -> None:
    """One line in the message's delivery log (no body, only the server's answer)."""
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
