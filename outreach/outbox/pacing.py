"""How fast and when mail goes out: a global send rate shared by all workers, a daily cap per MP and campaign, and
the order that lets members take turns. Office hours and holidays are in `outbox.hours`."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.orm import aliased

from outreach.database import insert_unless_present
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxControl, OutboxMessage, RecipientDay

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


def letters_today(now: datetime) -> ScalarSelect[int]:
    """For the claim's order: letters handed to the mail server today (office time) for the same address, in every
    campaign, so that a spike to a few members goes round by round instead of filling one inbox first."""
    earlier = aliased(OutboxMessage)
    midnight = start_of_next_day(now) - timedelta(days=1)
    return (
        select(func.count())
        .where(
            earlier.recipient == OutboxMessage.recipient,
            earlier.kind == LETTER,
            earlier.last_attempt_at >= midnight,
        )
        .correlate(OutboxMessage)
        .scalar_subquery()
    )


def take_daily_slot(message: OutboxMessage, now: datetime) -> bool:
    """Count this letter against its MP's daily cap for its campaign; False when today's letters are used up."""
    key = {
        "day": local_now(now).date(),
        "campaign_id": message.campaign_id or 0,
        "recipient": message.recipient.lower(),
    }
    insert_unless_present(RecipientDay, **key, letters=0)
    taken = db.session.execute(
        update(RecipientDay)
        .where(*(getattr(RecipientDay, column) == value for column, value in key.items()))
        .where(RecipientDay.letters < message.daily_cap)
        .values(letters=RecipientDay.letters + 1)
    )
    return taken.rowcount == 1


def start_of_next_day(now: datetime) -> datetime:
    """Local midnight after `now`, as naive UTC (when capped letters may go out again)."""
    local = local_now(now)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return midnight.astimezone(UTC).replace(tzinfo=None)
