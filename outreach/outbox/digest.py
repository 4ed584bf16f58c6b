"""The daily digest past the cap, as the outbox keeps it: a letter to a member who has had the campaign's daily cap
of letters waits for the campaign's digest hour (`digest_wait`) instead of the next day; at that hour the waiting
letters to one member are carried by one digest message, built together with the links to its letters in one
transaction (`in_digest`), and they are sent, or fail, with it. What a digest says is written by the campaigns
room (`campaigns.digest`); a reply to it is counted for each of its letters (`replies.matching`)."""

import re
from collections.abc import Sequence
from datetime import datetime, time

from flask import current_app
from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox import compose, hours, pacing, states
from outreach.outbox.models import DIGEST, LETTER, OutboxMessage

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(value: str) -> time:
    """'16:00' → 16:00; ValueError for anything else."""
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


def digest_time(campaign_id: int | None) -> time | None:
    """The campaign's digest hour (office time) when it gathers letters past the cap into a digest, else None."""
    if not campaign_id:
        return None
    from outreach.campaigns.models import Campaign  # the outbox serves campaigns; it does not load them first

    row = db.session.execute(select(Campaign.digest, Campaign.digest_at).where(Campaign.id == campaign_id)).first()
    if row is None or not row.digest or not row.digest_at:
        return None
    try:
        return parse_time(row.digest_at)
    except ValueError:
        return None


def next_digest_at(campaign_id: int | None, at: time, now: datetime) -> datetime | None:
    """Today's digest moment (naive UTC): `at` in office time, or, when the campaign's office hours are closed
    then, their next opening. None when it has passed: the letter waits for the next day, as without a digest
    (and so does one that comes past the cap after today's digest was built)."""
    moment = hours.office_time(pacing.local_now(now).date(), at, now)
    office = hours.for_campaign(campaign_id)
    if office is not None and hours.window(office, moment) is None:
        moment = hours.next_opening(office, moment)
    return moment if moment >= now else None


def _built(message: OutboxMessage, moment: datetime) -> bool:
    """Has this member's digest for `moment` gone already (its letters keep the moment as their due time)?"""
    return (
        db.session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.campaign_id == message.campaign_id,
                OutboxMessage.recipient == message.recipient,
                OutboxMessage.digest_id.is_not(None),
                OutboxMessage.next_attempt_at == moment,
            )
            .limit(1)
        )
        is not None
    )


def wait_for_digest(message: OutboxMessage, now: datetime) -> datetime | None:
    """Have a queued letter past today's cap wait for the campaign's digest; returns the moment it waits for, or
    None (nothing changed) when there is no digest to wait for."""
    if message.kind != LETTER or message.status != states.QUEUED:
        return None
    at = digest_time(message.campaign_id)
    if at is None:
        return None
    moment = next_digest_at(message.campaign_id, at, now)
    if moment is None or _built(message, moment):
        return None
    states.move(message, states.DIGEST_WAIT)
    message.next_attempt_at = moment
    return moment


def due(now: datetime) -> list[list[OutboxMessage]]:
    """The letters whose digest is due, one list per campaign and member, locked for the caller's transaction (rows
    another worker has locked are its own digest to build). Letters of a campaign whose digest was switched off
    in the meantime go back to the queue, to go out one by one within the cap."""
    waiting = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == states.DIGEST_WAIT, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.campaign_id, OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).all()
    groups: dict[tuple[int | None, str], list[OutboxMessage]] = {}
    hour: dict[int | None, time | None] = {}  # each campaign's digest hour, read once
    for message in waiting:
        if message.campaign_id not in hour:
            hour[message.campaign_id] = digest_time(message.campaign_id)
        if hour[message.campaign_id] is None:
            states.move(message, states.QUEUED)
            message.next_attempt_at = now
            continue
        groups.setdefault((message.campaign_id, message.recipient.lower()), []).append(message)
    return list(groups.values())


def bundle(letters: Sequence[OutboxMessage], subject: str, body: str, *, sender: str, language: str) -> OutboxMessage:
    """Queue the digest carrying `letters` (all to one member, in one campaign) and link them to it, in the caller's
    transaction: the digest and its links are written together or not at all. Its reply address is its own; a
    reply to it counts for each letter it carries."""
    first = letters[0]
    token = compose.new_token()
    reply_address = compose.plus_address(current_app.config.get("REPLY_ADDRESS"), token)
    digest = compose.enqueue(
        DIGEST,
        compose.Recipient(first.recipient_name, first.recipient, first.member_id),
        subject,
        body,
        language=language,
        sender=sender,
        reply_to=[("", reply_address)] if reply_address else None,
        campaign_id=first.campaign_id,
        token=token,
    )
    db.session.flush()
    linked = states.move_all(
        OutboxMessage.id.in_([letter.id for letter in letters]), states.IN_DIGEST, digest_id=digest.id
    )
    if linked != len(letters):  # the rows are locked by the caller: anything else is a bug, and nothing is written
        raise states.IllegalTransition(f"digest {digest.id}: {linked} of {len(letters)} letters could be linked")
    return digest


def delivered(digest_id: int, sent_at: datetime) -> None:
    """The digest is with the member's mail server: so is every letter it carries."""
    states.move_all(OutboxMessage.digest_id == digest_id, states.SENT, sent_at=sent_at)


def failed(digest_id: int) -> list[OutboxMessage]:
    """The digest failed for good: so did its letters (returned, to tell their writers)."""
    letters = carried(digest_id)
    states.move_all(OutboxMessage.digest_id == digest_id, states.FAILED)
    return letters


def retried(digest_id: int) -> None:
    """An organiser tries a failed digest again: its letters go with it again."""
    states.move_all((OutboxMessage.digest_id == digest_id) & (OutboxMessage.status == states.FAILED), states.IN_DIGEST)


def cancelled(digest_id: int) -> None:
    """An organiser cancelled the digest: its letters are not sent either."""
    states.move_all(OutboxMessage.digest_id == digest_id, states.CANCELLED)


def carried(digest_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.digest_id == digest_id).order_by(OutboxMessage.id))
    )


def sizes(digest_ids: Sequence[int]) -> dict[int, int]:
    """How many letters each of these digests carries."""
    if not digest_ids:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.digest_id, db.func.count())
        .where(OutboxMessage.digest_id.in_(list(digest_ids)))
        .group_by(OutboxMessage.digest_id)
    )
    return {digest_id: count for digest_id, count in rows}


def campaign_totals(campaign_id: int) -> tuple[int, int]:
    """(digests, letters they carry) of one campaign, for its organisers."""
    carrying = select(OutboxMessage.id).where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == DIGEST)
    digests = db.session.scalar(select(db.func.count()).select_from(carrying.subquery())) or 0
    letters = db.session.scalar(select(db.func.count()).where(OutboxMessage.digest_id.in_(carrying))) or 0
    return digests, letters
