"""Office hours for letters to members: when an office reads mail (the campaign's own hours, else the site's), the
Dutch public holidays on which it is closed, and the night's backlog spread over the day instead of one burst.

Closed days are those of the Algemene termijnenwet, the law that says which days government offices (the House
among them) are shut: Nieuwjaarsdag, Tweede Paasdag, Koningsdag (26 April when the 27th is a Sunday), Bevrijdingsdag
on 5 May every year (the law counts it every year, not only once in five), Hemelvaartsdag, Tweede Pinksterdag and
both Kerstdagen; Eerste Paas- and Pinksterdag are Sundays anyway. Goede Vrijdag is not among them: the House's
offices are open, so letters go out. Only letters and digests to members wait for office hours; confirmations,
notices and privacy mail to supporters never do."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox import pacing, states
from outreach.outbox.models import LETTER, TO_MEMBERS, OutboxMessage

# The holidays package's names for the days the Algemene termijnenwet does not close offices on.
NOT_CLOSED = {"Goede vrijdag"}
LIBERATION_DAY = (5, 5)


@dataclass(frozen=True)
class OfficeHours:
    days: frozenset[int]  # weekday numbers, Monday 0
    start: time
    end: time


# Organisers on Dutch pages write the days in Dutch: ma-vr, dagelijks.
DUTCH_DAYS = dict(zip(["ma", "di", "wo", "do", "vr", "za", "zo", "dagelijks"], [*pacing.DAYS, "daily"], strict=True))


@cache
def parse(spec: str) -> OfficeHours:
    """'08:00-18:00' (weekdays), 'mon-fri 08:00-18:00', 'daily 09:00-17:00', 'mon,wed,fri 10:00-16:00', or the
    same with Dutch days ('ma-vr 08:00-18:00')."""
    spec = re.sub(r"[a-z]+", lambda word: DUTCH_DAYS.get(word[0], word[0]), spec.strip().lower())
    days, start, end = pacing.parse_sending_hours(spec if " " in spec else f"mon-fri {spec}")
    return OfficeHours(frozenset(days), start, end)


@cache
def closed_on(day: date) -> bool:
    """Is `day` a Dutch public holiday on which the House's offices are shut?"""
    if (day.month, day.day) == LIBERATION_DAY:
        return True
    import holidays  # here: only the worker plans by holidays, and web processes start without loading them

    name = holidays.country_holidays("NL", years=day.year).get(day)
    return name is not None and name not in NOT_CLOSED


def _open_on(hours: OfficeHours, day: date) -> bool:
    return day.weekday() in hours.days and not closed_on(day)


def office_time(day: date, at: time, now: datetime) -> datetime:
    """`at` on `day` in office time, as naive UTC."""
    zone = pacing.local_now(now).tzinfo
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def window(hours: OfficeHours, now: datetime) -> tuple[datetime, datetime] | None:
    """(opened, closes) as naive UTC when the office is open at `now`, else None."""
    local = pacing.local_now(now)
    if not _open_on(hours, local.date()) or not hours.start <= local.time() < hours.end:
        return None
    return office_time(local.date(), hours.start, now), office_time(local.date(), hours.end, now)


def next_opening(hours: OfficeHours, now: datetime) -> datetime:
    """When the office next opens after `now` (naive UTC)."""
    local = pacing.local_now(now)
    day = local.date()
    if local.time() >= hours.start:
        day += timedelta(days=1)
    for _ in range(400):  # a year and a bit: more than any run of closed days
        if _open_on(hours, day):
            return office_time(day, hours.start, now)
        day += timedelta(days=1)
    raise ValueError("these office hours never open")


def for_campaign(campaign_id: int | None) -> OfficeHours | None:
    """The campaign's sending hours, else the site's (OUTBOX_SENDING_HOURS); None: letters go out at any time."""
    spec = None
    if campaign_id:
        from outreach.campaigns.models import Campaign  # the outbox serves campaigns; it does not load them first

        spec = db.session.scalar(select(Campaign.sending_hours).where(Campaign.id == campaign_id))
    spec = spec or current_app.config.get("OUTBOX_SENDING_HOURS")
    return parse(spec) if spec else None


def wait_for_office(message: OutboxMessage, now: datetime) -> datetime | None:
    """Outside office hours, have a letter wait for the next opening (it keeps that exact moment as its due time,
    which marks it as the night's backlog). When the office has opened, the first backlog letter claimed spreads
    the whole campaign's backlog evenly over what is left of the day. Returns when `message` is due now that it
    has to wait, or None when it may go. A digest keeps the same hours (its due time is chosen inside them)."""
    if message.kind not in TO_MEMBERS:
        return None
    hours = for_campaign(message.campaign_id)
    if hours is None:
        return None
    open_now = window(hours, now)
    if open_now is None:
        message.next_attempt_at = next_opening(hours, now)
        return message.next_attempt_at
    opened, closes = open_now
    if message.next_attempt_at != opened:
        return None
    spread(message.campaign_id, opened, now, closes)
    return message.next_attempt_at if message.next_attempt_at > now else None


def spread(campaign_id: int | None, opened: datetime, now: datetime, closes: datetime) -> None:
    """Give the letters that waited for `opened` due times evenly apart from now until the office closes, members
    taking turns (so no inbox gets its share in one go). Rows another worker has locked are its to plan: skipping
    them, rather than waiting, keeps two workers from waiting on each other's claims."""
    backlog = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == LETTER,
            OutboxMessage.campaign_id == campaign_id,
            OutboxMessage.status.in_(states.WAITING),
            OutboxMessage.next_attempt_at == opened,
        )
        .order_by(OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).all()
    turns: dict[str, int] = {}
    ranked = []
    for message in backlog:
        turn = turns[message.recipient.lower()] = turns.get(message.recipient.lower(), -1) + 1
        ranked.append((turn, message.id, message))
    ranked.sort(key=lambda entry: entry[:2])
    step = (closes - now) / max(len(ranked), 1)
    for position, (_, _, message) in enumerate(ranked):
        message.next_attempt_at = now + step * position
