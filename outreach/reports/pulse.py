"""The campaign's pulse on the organiser home: per live (or paused) campaign what happened today and this week and
what waits for someone, each number with the page that acts on it."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from outreach.campaigns.lifecycle import sent
from outreach.campaigns.models import AWAITING, HELD, LIVE, PAUSED, Campaign, Letter
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.pacing import local_now
from outreach.replies.models import ANSWER, Reply, SurveyAnswer


@dataclass
class Pulse:
    campaign: Campaign
    sent_today: int
    sent_week: int
    awaiting: int  # letters whose writer has not confirmed yet
    held: int  # letters waiting for an organiser's review
    in_outbox: int  # letters waiting in the outbox (queued, sending, retrying, held there)
    failed: int  # letters the outbox gave up on
    to_read: int  # answers from members not read and tagged yet
    survey_answers: int


def day_starts(now: datetime) -> tuple[datetime, datetime]:
    """The start of today and of this week (Monday) in the configured time zone, as naive UTC like the database."""
    today = local_now(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    return (
        today.astimezone(UTC).replace(tzinfo=None),
        week.astimezone(UTC).replace(tzinfo=None),
    )


def _sent_since(campaign_id: int, since: datetime) -> int:
    when = func.coalesce(OutboxMessage.sent_at, Letter.opened_at)
    return (
        db.session.scalar(
            select(func.count(Letter.id)).outerjoin(Letter.outbox_message).where(sent(campaign_id), when >= since)
        )
        or 0
    )


def _letters(campaign_id: int, status: str) -> int:
    return (
        db.session.scalar(
            select(func.count(Letter.id)).where(Letter.campaign_id == campaign_id, Letter.status == status)
        )
        or 0
    )


def _outbox(campaign_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == LETTER)
            .group_by(OutboxMessage.status)
        ).all()
    )


def campaign_pulse(campaign: Campaign, now: datetime) -> Pulse:
    today, week = day_starts(now)
    outbox = _outbox(campaign.id)
    waiting = sum(outbox.get(s, 0) for s in (states.QUEUED, states.SENDING, states.RETRY_WAIT, states.HELD))
    return Pulse(
        campaign=campaign,
        sent_today=_sent_since(campaign.id, today),
        sent_week=_sent_since(campaign.id, week),
        awaiting=_letters(campaign.id, AWAITING),
        held=_letters(campaign.id, HELD),
        in_outbox=waiting,
        failed=outbox.get(states.FAILED, 0),
        to_read=db.session.scalar(
            select(func.count(Reply.id)).where(
                Reply.campaign_id == campaign.id,
                Reply.kind == ANSWER,
                Reply.stance.is_(None),
                Reply.letter_id.is_not(None),
            )
        )
        or 0,
        survey_answers=db.session.scalar(
            select(func.count(SurveyAnswer.id))
            .join(Letter, Letter.id == SurveyAnswer.letter_id)
            .where(Letter.campaign_id == campaign.id)
        )
        or 0,
    )


def pulse(now: datetime) -> list[Pulse]:
    """The pulse of every campaign that is live or paused, newest first."""
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.status.in_([LIVE, PAUSED])).order_by(Campaign.created_at.desc())
    ).all()
    return [campaign_pulse(campaign, now) for campaign in campaigns]
