"""How fast and when mail goes out: a global send rate shared by all workers, a daily cap per MP and campaign, and
the order that lets members take turns. Office hours and holidays are in `outbox.hours`."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select, update

from outreach.database import insert_unless_present
from outreach.extensions import db
from outreach.outbox.models import OutboxControl, OutboxMessage, RecipientDay

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def take_tokens(control: OutboxControl, now: datetime, wanted: int) -> tuple[int, float]:
    """Take up to `wanted` sends from the rate bucket (OUTBOX_RATE messages per second across all workers; the
    caller holds the control row locked). Returns (sends granted, seconds to wait when none)."""
    rate = float(current_app.config["OUTBOX_RATE"])
    if rate <= 0:
        return wanted, 0.0
    burst = max(1.0, rate)
    if control.rate_updated_at is None:
        tokens = burst
    else:
        elapsed = max((now - control.rate_updated_at).total_seconds(), 0.0)
        tokens = min(burst, control.rate_tokens + elapsed * rate)
    control.rate_updated_at = now
    granted = min(wanted, int(tokens))
    control.rate_tokens = tokens - granted
    return granted, 0.0 if granted else (1 - tokens) / rate


def give_back_tokens(control: OutboxControl, unused: int) -> None:
    """Fewer messages were due than sends taken: return the rest."""
    rate = float(current_app.config["OUTBOX_RATE"])
    if rate > 0 and unused:
        control.rate_tokens = min(max(1.0, rate), control.rate_tokens + unused)


def local_now(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def parse_sending_hours(spec: str) -> tuple[set[int], time, time]:
    """'mon-fri 08:00-18:00' → (weekdays, start, end); 'daily 09:00-17:00' and 'mon,wed,fri 10:00-16:00' work too."""
    try:
        days_part, hours_part = spec.lower().split()
        if days_part == "daily":
            days = set(range(7))
        elif "-" in days_part:
            first, last = days_part.split("-")
            days = set(range(DAYS.index(first), DAYS.index(last) + 1))
        else:
            days = {DAYS.index(day) for day in days_part.split(",")}
        match = _HOURS.match(hours_part)
        if not match or not days:
            raise ValueError
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"OUTREACH_OUTBOX_SENDING_HOURS={spec!r} is not understood; write it like 'mon-fri 08:00-18:00'"
        ) from None
    return days, start, end


def in_turns(stmt: Select[tuple[OutboxMessage]], now: datetime) -> Select[tuple[OutboxMessage]]:
    """The claim's order: by priority, then the address with fewest letters handed over today (office time, every
    campaign together) first, so that a spike to a few members goes round by round instead of filling one inbox
    first; then the longest waiting. Today's counts are read once per query (the day's few hundred rows)."""
    today = (
        select(RecipientDay.recipient, func.sum(RecipientDay.letters).label("letters"))
        .where(RecipientDay.day == local_now(now).date())
        .group_by(RecipientDay.recipient)
        .subquery()
    )
    return stmt.outerjoin(today, today.c.recipient == func.lower(OutboxMessage.recipient)).order_by(
        OutboxMessage.priority, func.coalesce(today.c.letters, 0), OutboxMessage.next_attempt_at, OutboxMessage.id
    )


def take_daily_slot(message: OutboxMessage, now: datetime) -> bool:
    """Count this letter for its MP today (for taking turns) and against the campaign's daily cap, if it has one;
    False when today's letters are used up."""
    key = {
        "day": local_now(now).date(),
        "campaign_id": message.campaign_id or 0,
        "recipient": message.recipient.lower(),
    }
    insert_unless_present(RecipientDay, **key, letters=0)
    stmt = update(RecipientDay).where(*(getattr(RecipientDay, column) == value for column, value in key.items()))
    if message.daily_cap:
        stmt = stmt.where(RecipientDay.letters < message.daily_cap)
    taken = db.session.execute(stmt.values(letters=RecipientDay.letters + 1))
    return taken.rowcount == 1


def start_of_next_day(now: datetime) -> datetime:
    """Local midnight after `now`, as naive UTC (when capped letters may go out again)."""
    local = local_now(now)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return midnight.astimezone(UTC).replace(tzinfo=None)
