""" "Write before this debate": an action with a deadline, its recipients pre-selected, its placeholders filled.

The recipients are the party spokespeople who spoke in the campaign's earlier debates (ActiviteitActor), then the
leading committee's members (chair and vice-chairs first), as many as a letter may go to. The deadline is the
debate's start unless the organiser sets one, so a moved debate moves it; a cancelled debate closes the action.
"""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select

from outreach.agenda import queries
from outreach.agenda.models import Activity, ActivityActor, DebateAction
from outreach.campaigns import targets
from outreach.campaigns.models import Campaign
from outreach.database import utcnow
from outreach.extensions import db

CANCELLED = "Geannuleerd"


def clock() -> datetime:
    """Now, as naive UTC; tests set AGENDA_NOW to fix it."""
    return current_app.config.get("AGENDA_NOW") or utcnow()


def local_midnight_utc(activity: Activity) -> datetime | None:
    if activity.day is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = datetime.combine(activity.day, time(0, 0), zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass
class OpenAction:
    action: DebateAction
    activity: Activity
    deadline: datetime  # UTC


def deadline_of(action: DebateAction, activity: Activity) -> datetime | None:
    return action.deadline or activity.starts_at or local_midnight_utc(activity)


def state_of(action: DebateAction, activity: Activity | None, now: datetime) -> str:
    """open, closed (by the organiser), cancelled (the debate), past (its deadline went by) or gone (deleted)."""
    if activity is None or activity.deleted:
        return "gone"
    if action.closed_at is not None:
        return "closed"
    if activity.status == CANCELLED:
        return "cancelled"
    deadline = deadline_of(action, activity)
    return "past" if deadline is None or deadline <= now else "open"


def campaign_actions(campaign_id: int) -> list[tuple[DebateAction, Activity | None]]:
    actions = list(
        db.session.scalars(
            select(DebateAction).where(DebateAction.campaign_id == campaign_id).order_by(DebateAction.id.desc())
        )
    )
    activities = {
        a.tk_id: a
        for a in db.session.scalars(select(Activity).where(Activity.tk_id.in_([x.activity_tk_id for x in actions])))
    }
    return [(action, activities.get(action.activity_tk_id)) for action in actions]


def open_actions(campaign: Campaign, now: datetime | None = None) -> list[OpenAction]:
    """The campaign's actions still open, the soonest deadline first; a past one has closed by itself."""
    now = now or clock()
    found = [
        OpenAction(action, activity, deadline_of(action, activity))  # type: ignore[arg-type]
        for action, activity in campaign_actions(campaign.id)
        if activity is not None and state_of(action, activity, now) == "open"
    ]
    return sorted(found, key=lambda o: o.deadline)


def suggested_recipients(campaign: Campaign, activity: Activity) -> list[str]:
    """Spokespeople from the campaign's earlier debates, then the leading committee, up to a letter's limit."""
    earlier = [tk_id for tk_id in queries.activity_ids(campaign.id) if tk_id != activity.tk_id]
    speakers = set(
        db.session.scalars(
            select(ActivityActor.person_tk_id)
            .join(Activity, Activity.tk_id == ActivityActor.activity_tk_id)
            .where(
                ActivityActor.activity_tk_id.in_(earlier),
                ActivityActor.deleted.is_(False),
                ActivityActor.person_tk_id.is_not(None),
                Activity.day <= (activity.day or datetime.max.date()),
            )
        )
    )
    keys = [
        target.key
        for target in map(targets.member_target, targets.eligible_members(campaign))
        if target.member is not None and target.member.tk_id in speakers and target.blocked is None
    ]
    if activity.committee_abbreviation:
        keys += [
            t.key for t in targets.committee_members(campaign, activity.committee_abbreviation) if t.key not in keys
        ]
    return keys[: campaign.max_recipients]


def debate_values(campaign: Campaign, language: str) -> dict[str, str]:
    """{debate_title} and {debate_date} of the campaign's soonest open action, in the letter's language."""
    coming = open_actions(campaign)
    if not coming:
        return {}
    activity = coming[0].activity
    day = activity.day or coming[0].deadline.date()
    return {"debate_title": activity.subject or "", "debate_date": format_date(day, "d MMMM y", locale=language)}


def preselect(campaign: Campaign) -> list[str]:
    coming = open_actions(campaign)
    return list(coming[0].action.recipients) if coming else []
