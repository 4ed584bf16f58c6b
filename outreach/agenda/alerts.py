"""Telling supporters: one e-mail when a debate the campaign follows is on the agenda, and an update only when it
is moved or cancelled after they were told. Only to supporters who asked on the letter form to be kept informed of
the campaign and confirmed their letter; never twice for the same change; at most one e-mail per supporter and
campaign in ALERT_GAP (the rest waits for the next sync); every e-mail carries a link that stops them."""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_datetime
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from outreach.agenda import queries
from outreach.agenda.actions import CANCELLED
from outreach.agenda.models import Activity, AgendaAlert
from outreach.campaigns import texts
from outreach.campaigns.models import Campaign, Submission
from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox import compose
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE
from outreach.urls import public_url

ALERT_GAP = timedelta(hours=20)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="agenda-alerts")


def stop_token(submission_id: int) -> str:
    return _serializer().dumps(submission_id)


def submission_for(token: str) -> Submission | None:
    try:
        submission_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Submission, submission_id) if isinstance(submission_id, int) else None


def stop(submission: Submission) -> None:
    """No more news of this campaign to this supporter, from any of their letters on it (the caller commits)."""
    for row in db.session.scalars(
        select(Submission).where(
            Submission.campaign_id == submission.campaign_id, Submission.supporter_id == submission.supporter_id
        )
    ):
        row.newsletter = False


def change_of(activity: Activity) -> str:
    """What a supporter is told about an activity, as a key: cancelled, or its date and start."""
    if activity.status == CANCELLED:
        return "cancelled"
    return f"{activity.day}T{activity.starts_at.strftime('%H:%M') if activity.starts_at else ''}"


def subscribers(campaign_id: int) -> list[Submission]:
    """One confirmed letter per supporter who asked to be kept informed (their latest), none who stopped it."""
    latest = (
        select(func.max(Submission.id))
        .where(
            Submission.campaign_id == campaign_id,
            Submission.confirmed_at.is_not(None),
            Submission.newsletter.is_(True),
        )
        .group_by(Submission.supporter_id)
    )
    return list(db.session.scalars(select(Submission).where(Submission.id.in_(latest))))


def _message(campaign: Campaign, activity: Activity, submission: Submission, kind: str) -> tuple[str, str]:
    language = submission.page_language
    with force_locale(language):
        when = format_datetime(activity.starts_at, "EEEE d MMMM y, HH:mm") if activity.starts_at else str(activity.day)
    mail = render_email(
        "debate_alert",
        language,
        kind=kind,
        subject=activity.subject or "",
        when=when,
        title=texts.title(campaign, language),
        url=public_url("campaigns.show", slug=campaign.slug),
        stop_link=public_url("agenda.stop_alerts", token=stop_token(submission.id)),
    )
    return mail.subject[:190], mail.body


def send_due(now: datetime | None = None) -> int:
    """Queue the alerts due now for every campaign that follows debates; returns how many. The caller commits."""
    now = now or utcnow()
    sent = 0
    for campaign in db.session.scalars(select(Campaign).where(Campaign.status == "live")):
        upcoming, _recent = queries.followed_activities(campaign.id, now)
        upcoming = [a for a in upcoming if a.day is not None]
        if not upcoming:
            continue
        sent_before: dict[int, list[AgendaAlert]] = defaultdict(list)
        for alert in db.session.scalars(
            select(AgendaAlert)
            .join(Submission, Submission.id == AgendaAlert.submission_id)
            .where(Submission.campaign_id == campaign.id)
        ):
            sent_before[alert.submission_id].append(alert)
        for submission in subscribers(campaign.id):
            told = {(a.activity_tk_id, a.change): a for a in sent_before[submission.id]}
            if any(a.created_at > now - ALERT_GAP for a in told.values()):
                continue  # told something lately: the rest waits for a later sync
            for activity in upcoming:
                change = change_of(activity)
                about = [c for t, c in told if t == activity.tk_id]
                if (activity.tk_id, change) in told or (not about and change == "cancelled"):
                    continue
                kind = "scheduled" if not about else "cancelled" if change == "cancelled" else "moved"
                subject, body = _message(campaign, activity, submission, kind)
                compose.enqueue(
                    NOTICE,
                    compose.Recipient(submission.name, submission.supporter.email),
                    subject,
                    body,
                    language=submission.page_language,
                    campaign_id=campaign.id,
                )
                db.session.add(
                    AgendaAlert(
                        submission_id=submission.id, activity_tk_id=activity.tk_id, change=change, created_at=now
                    )
                )
                sent += 1
                break  # one e-mail per supporter and campaign at a time
    return sent
