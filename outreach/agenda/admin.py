"""The organiser's agenda page per campaign: what to watch, the matches to confirm or dismiss, and the debates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, lazy_gettext
from werkzeug.wrappers import Response

from outreach.accounts.access import audit, protect
from outreach.agenda import actions, matching, queries
from outreach.agenda.models import CONFIRMED, DISMISSED, WATCH_KINDS, Activity, CampaignWatch, DebateAction, WatchMatch
from outreach.campaigns import targets
from outreach.campaigns.models import Campaign
from outreach.database import begin_write, utcnow
from outreach.extensions import db

bp = Blueprint("agenda_admin", __name__, url_prefix="/admin/campaigns/<int:campaign_id>/agenda")
protect(bp)

WATCH_LABELS = {
    "keyword": lazy_gettext("keyword"),
    "committee": lazy_gettext("committee"),
    "dossier": lazy_gettext("dossier number"),
}
ACTIVITY_STATUSES = {
    "Gepland": lazy_gettext("scheduled"),
    "Verplaatst": lazy_gettext("moved"),
    "Geannuleerd": lazy_gettext("cancelled"),
    "Uitgevoerd": lazy_gettext("held"),
}
MATCH_CATEGORIES = {
    "activity": lazy_gettext("activity"),
    "item": lazy_gettext("agenda item"),
    "case": lazy_gettext("case"),
}
ACTION_STATES = {
    "open": lazy_gettext("open"),
    "closed": lazy_gettext("closed"),
    "cancelled": lazy_gettext("the debate was cancelled"),
    "past": lazy_gettext("the deadline has passed"),
    "gone": lazy_gettext("the Kamer removed the debate"),
}
MATCH_STATES = {
    "new": lazy_gettext("to review"),
    CONFIRMED: lazy_gettext("confirmed"),
    DISMISSED: lazy_gettext("dismissed"),
}


@bp.app_template_global()
def activity_status(status: str | None) -> str:
    return str(ACTIVITY_STATUSES.get(status or "", status or ""))


@bp.app_template_global()
def activity_when(activity: Activity) -> str:
    """The activity's date and start in Europe/Amsterdam, in the reader's language; or that it has no date yet."""
    if activity.starts_at:
        return moment(activity.starts_at)
    if activity.day:
        return format_date(activity.day, "full")
    return str(lazy_gettext("no date yet"))


@bp.app_template_global()
def moment(value: datetime) -> str:
    """A UTC moment as the reader's date and time in Europe/Amsterdam."""
    return format_datetime(value, "EEEE d MMMM y, HH:mm")


@bp.app_template_global()
def agenda_day(day: date | None) -> str:
    return format_date(day, "long") if day else "—"


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _page(campaign: Campaign, error: str | None = None, status: int = 200) -> tuple[str, int]:
    upcoming, recent = queries.followed_activities(campaign.id, actions.clock())
    return render_template(
        "agenda/admin.html",
        campaign=campaign,
        watches=queries.watches(campaign.id),
        found=queries.described(campaign.id),
        upcoming=upcoming,
        recent=recent,
        kinds=WATCH_LABELS,
        categories=MATCH_CATEGORIES,
        states=MATCH_STATES,
        kamer_link=queries.kamer_link,
        actions=[
            (a, activity, actions.state_of(a, activity, actions.clock()))
            for a, activity in actions.campaign_actions(campaign.id)
        ],
        action_states=ACTION_STATES,
        names=recipient_names(campaign),
        error=error,
    ), status


@bp.get("")
def show(campaign_id: int) -> tuple[str, int]:
    """The campaign's watches, the matches they found, and the activities it follows."""
    return _page(_campaign(campaign_id))


def _watch_error(kind: str, value: str) -> str | None:
    if kind not in WATCH_KINDS:
        return str(lazy_gettext("Choose what kind of thing to watch."))
    if not value or len(value) > 200:
        return str(lazy_gettext("Type what to watch, in at most 200 characters."))
    if kind == "dossier" and matching.parse_dossier(value) is None:
        return str(lazy_gettext("A dossier number is written like 36600 or 36600-V."))
    if kind == "keyword" and not matching.normalise(value):
        return str(lazy_gettext("A keyword needs at least one letter or digit."))
    return None


@bp.post("/watches")
def add_watch(campaign_id: int) -> Response | tuple[str, int]:
    """Watch a keyword, committee or dossier for the campaign; its matches are looked for at once."""
    campaign = _campaign(campaign_id)
    kind, value = request.form.get("kind", ""), " ".join(request.form.get("value", "").split())
    if error := _watch_error(kind, value):
        return _page(campaign, error, 400)
    begin_write()
    db.session.add(CampaignWatch(campaign_id=campaign.id, kind=kind, value=value, created_at=utcnow()))
    db.session.flush()
    added = matching.refresh([campaign.id])
    audit("agenda watch added", campaign, f"{kind}: {value}")
    db.session.commit()
    flash(lazy_gettext("Now watching “%(value)s”: %(count)d new matches.", value=value, count=added))
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.post("/watches/<int:watch_id>/remove")
def remove_watch(campaign_id: int, watch_id: int) -> Response:
    """Stop watching something; matches already confirmed or dismissed stay."""
    watch = db.get_or_404(CampaignWatch, watch_id)
    if watch.campaign_id != campaign_id:
        abort(404)
    begin_write()
    db.session.delete(watch)
    db.session.flush()
    matching.refresh([campaign_id])
    audit("agenda watch removed", _campaign(campaign_id), f"{watch.kind}: {watch.value}")
    db.session.commit()
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.post("/matches/<int:match_id>")
def decide(campaign_id: int, match_id: int) -> Response | tuple[str, int]:
    """Confirm a match (the campaign follows it) or dismiss it (it stays out, whatever later syncs bring)."""
    match = db.get_or_404(WatchMatch, match_id)
    if match.campaign_id != campaign_id:
        abort(404)
    decision = request.form.get("decision")
    if decision not in (CONFIRMED, DISMISSED):
        return _page(_campaign(campaign_id), str(lazy_gettext("Choose to confirm or to dismiss.")), 400)
    begin_write()
    match.state, match.decided_at = decision, utcnow()
    audit(f"agenda match {decision}", _campaign(campaign_id), f"{match.category} {match.tk_id}")
    db.session.commit()
    return redirect(url_for(".show", campaign_id=campaign_id, _anchor="matches"))


def recipient_names(campaign: Campaign) -> dict[str, str]:
    """The chooser's keys of every recipient the campaign may write to, with their names."""
    return {t.key: t.label for t in map(targets.member_target, targets.eligible_members(campaign))}


def _deadline(value: str, activity: Activity) -> tuple[datetime | None, str | None]:
    """The organiser's deadline (a local date and time) as UTC, or None for the debate's start; or an error."""
    if not value:
        return None, None
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        return None, str(lazy_gettext("Give the deadline as a date and a time."))
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    deadline = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    if deadline <= actions.clock():
        return None, str(lazy_gettext("The deadline must lie in the future."))
    return deadline, None


@bp.post("/actions")
def add_action(campaign_id: int) -> Response | tuple[str, int]:
    """Write before this debate: an action with a deadline and the recipients pre-selected for supporters."""
    campaign = _campaign(campaign_id)
    activity = db.session.get(Activity, request.form.get("activity", "")[:36])
    if activity is None or activity.tk_id not in queries.activity_ids(campaign.id) or activity.deleted:
        return _page(campaign, str(lazy_gettext("Choose a debate from the campaign’s agenda.")), 400)
    deadline, error = _deadline(request.form.get("deadline", "").strip(), activity)
    if error:
        return _page(campaign, error, 400)
    begin_write()
    action = DebateAction(
        campaign_id=campaign.id,
        activity_tk_id=activity.tk_id,
        deadline=deadline,
        recipients=actions.suggested_recipients(campaign, activity),
        created_at=utcnow(),
    )
    db.session.add(action)
    audit("agenda action created", campaign, activity.subject and activity.subject[:200])
    db.session.commit()
    flash(lazy_gettext("The campaign page now asks supporters to write before this debate."))
    return redirect(url_for(".show", campaign_id=campaign.id, _anchor="actions"))


@bp.post("/actions/<int:action_id>/close")
def close_action(campaign_id: int, action_id: int) -> Response:
    """Close an action before its deadline."""
    action = db.get_or_404(DebateAction, action_id)
    if action.campaign_id != campaign_id:
        abort(404)
    begin_write()
    action.closed_at = utcnow()
    audit("agenda action closed", _campaign(campaign_id), str(action.id))
    db.session.commit()
    return redirect(url_for(".show", campaign_id=campaign_id, _anchor="actions"))
