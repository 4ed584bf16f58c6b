"""The life of an outbox message, in one table: every status change goes through `move` (or `move_all`).

    queued ──claim──▶ sending ──2xx──▶ sent
      ▲  │              │ ├─4xx, timeout──▶ retry_wait ──due──▶ sending
      │  │              │ └─5xx, gave up──▶ failed ──organiser retries──▶ queued
      │  │              │                     └──text removed (retention, erasure)──▶ cancelled
      │  ├─hold───▶ held ──release──▶ queued
      │  └─cancel─▶ cancelled
      └── sending, when the whole queue pauses (circuit breaker) or a lease runs out unclaimed

    queued ──daily cap reached, campaign has a digest──▶ digest_wait ──digest built──▶ in_digest
                                                           │ held, cancelled, or     ├─digest sent──▶ sent
                                                           └ queued (digest off)     └─digest failed──▶ failed
                                                                                       (retried: ──▶ in_digest)

`sent` and `cancelled` are final: nothing ever sends a message twice on purpose.
"""

from sqlalchemy import ColumnElement, update

from outreach.extensions import db
from outreach.outbox.models import OutboxMessage

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
RETRY_WAIT = "retry_wait"
FAILED = "failed"
HELD = "held"
CANCELLED = "cancelled"
DIGEST_WAIT = "digest_wait"  # a letter past the daily cap, waiting for the campaign's digest hour
IN_DIGEST = "in_digest"  # a letter a digest carries: it is sent, or fails, with that digest

ALLOWED: dict[str, frozenset[str]] = {
    QUEUED: frozenset({QUEUED, SENDING, HELD, CANCELLED, DIGEST_WAIT}),  # queued → queued: put off (cap, hours)
    RETRY_WAIT: frozenset({SENDING, HELD, CANCELLED, FAILED}),
    SENDING: frozenset({SENT, RETRY_WAIT, FAILED, QUEUED, SENDING, HELD}),  # sending → sending: lease taken over
    HELD: frozenset({QUEUED, CANCELLED}),
    DIGEST_WAIT: frozenset({IN_DIGEST, QUEUED, HELD, CANCELLED}),
    IN_DIGEST: frozenset({SENT, FAILED, CANCELLED}),
    FAILED: frozenset({QUEUED, CANCELLED, IN_DIGEST}),  # cancelled when its text is removed: never retried;
    # in_digest: a failed digest an organiser retries takes its letters along again
    SENT: frozenset(),
    CANCELLED: frozenset(),
}
STATES = tuple(ALLOWED)
WAITING = (QUEUED, RETRY_WAIT)  # what the kill switch holds and "cancel a supporter's letters" cancels


class IllegalTransition(Exception):
    """A status change the outbox's rules forbid (a bug, never a user's doing)."""


def move(message: OutboxMessage, status: str) -> None:
    """Change one message's status, refusing any change the table above does not allow."""
    if status not in ALLOWED.get(message.status, ()):
        raise IllegalTransition(f"outbox message {message.id}: {message.status} → {status}")
    message.status = status


def sources(status: str) -> list[str]:
    """The statuses a message may move to `status` from."""
    return [source for source, targets in ALLOWED.items() if status in targets and source != status]


def move_all(condition: ColumnElement[bool], status: str, *, in_flight: bool = False, **values: object) -> int:
    """Move every message matching `condition` (and allowed to) to `status`; returns how many moved.

    Messages being sent are left alone (their attempt finishes first), unless `in_flight`: then only those move,
    as the worker does when it records an answer or gives back messages it claimed.
    """
    if in_flight:
        if status not in ALLOWED[SENDING]:
            raise IllegalTransition(f"outbox messages: {SENDING} → {status}")
        allowed_from = [SENDING]
    else:
        allowed_from = [source for source in sources(status) if source != SENDING]
    result = db.session.execute(
        update(OutboxMessage)
        .where(condition, OutboxMessage.status.in_(allowed_from))
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
