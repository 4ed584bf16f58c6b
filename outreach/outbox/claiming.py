"""Claiming due messages for a worker: in turns (the member with fewest letters today first), each one checked
before it may go — given up after too many attempts, held for a member who left or opted out, put off until office
hours, the digest's hour or the next day when the daily cap is reached."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from outreach.directory.delivery import letter_block
from outreach.extensions import db
from outreach.outbox import digest, hours, pacing, states
from outreach.outbox.models import TO_MEMBERS, OutboxMessage
from outreach.outbox.outcomes import fail, log_attempt
from outreach.outbox.smtp import GAVE_UP, INTERRUPTED_ATTEMPT, Outcome

INTERRUPTED = "interrupted"  # logged for an attempt whose worker died before it could record the answer

# What became of a due message that may not go out now.
GAVE_UP_NOW, HELD_BACK, PUT_OFF, DAY_FULL = "gave_up", "held", "put_off", "day_full"


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
            if _settle(message, now) is None:
                states.move(message, states.SENDING)  # so the next round's query passes it by
                message.attempts += 1
                message.worker_id = worker_id
                message.lease_until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
                message.first_attempt_at = message.first_attempt_at or now
                message.last_attempt_at = now
                claimed.append(message)
    return claimed


def _settle(message: OutboxMessage, now: datetime) -> str | None:
    """Deal with a due message that may not be sent now — give it up, hold it, or put it off until the office
    opens, the digest's hour or the next day — and say which; None when it may go (its address brought up to
    date from the directory)."""
    taken_over = message.status == states.SENDING
    if taken_over:
        interrupted = Outcome(INTERRUPTED, None, INTERRUPTED_ATTEMPT)
        log_attempt(
            message.id, message.attempts, message.worker_id or "?", message.last_attempt_at or now, now, interrupted
        )
    if _gave_up(message, now):
        fail(message, None, GAVE_UP % {"count": message.attempts}, now)
        return GAVE_UP_NOW
    if message.member_id is not None:
        reason, address = letter_block(message.member_id)
        if reason:
            states.move(message, states.HELD)
            message.hold_reason = reason
            return HELD_BACK
        if address and address != message.recipient:
            message.recipient = address
    if hours.wait_for_office(message, now) is not None:
        if message.status == states.SENDING:
            states.move(message, states.QUEUED)
        return PUT_OFF
    # A digest has no cap of its own (it is what comes past the cap) but counts toward the day's letters.
    if message.kind in TO_MEMBERS and not taken_over and not pacing.take_daily_slot(message, now):
        if digest.wait_for_digest(message, now) is None:
            states.move(message, states.QUEUED)
            message.next_attempt_at = pacing.start_of_next_day(now)
        return DAY_FULL
    return None


def _gave_up(message: OutboxMessage, now: datetime) -> bool:
    config = current_app.config
    too_long = message.first_attempt_at and now - message.first_attempt_at > timedelta(
        seconds=config["OUTBOX_GIVE_UP_AFTER"]
    )
    return bool(too_long) or message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]
