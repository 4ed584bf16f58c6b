"""What the organiser's agenda page reads: the campaign's watches, its matches described, its activities."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from outreach.agenda.matching import CATEGORY_MODELS
from outreach.agenda.models import CONFIRMED, Activity, AgendaItem, AgendaLink, CampaignWatch, WatchMatch
from outreach.extensions import db

RECENT_DAYS = 60
KAMER_ACTIVITY = "https://www.tweedekamer.nl/debat_en_vergadering/commissievergaderingen/details?id={number}"
KAMER_SEARCH = "https://www.tweedekamer.nl/zoeken?qry={number}"


@dataclass
class Found:
    """A match as the organiser reads it."""

    match: WatchMatch
    title: str
    kind: str | None
    day: date | None
    link: str | None


def watches(campaign_id: int) -> list[CampaignWatch]:
    return list(
        db.session.scalars(
            select(CampaignWatch)
            .where(CampaignWatch.campaign_id == campaign_id)
            .order_by(CampaignWatch.kind, CampaignWatch.value)
        )
    )


def kamer_link(category: str, number: str | None) -> str | None:
    """The Kamer's own page of an activity, or its search for a case's or agenda item's number."""
    if not number:
        return None
    return (KAMER_ACTIVITY if category == "activity" else KAMER_SEARCH).format(number=number)


def described(campaign_id: int) -> list[Found]:
    """The campaign's matches with what each is about, undecided first, newest first."""
    matches = list(db.session.scalars(select(WatchMatch).where(WatchMatch.campaign_id == campaign_id)))
    rows: dict[tuple[str, str], object] = {}
    for category, model in CATEGORY_MODELS.items():
        ids = [m.tk_id for m in matches if m.category == category]
        for row in db.session.scalars(select(model).where(model.tk_id.in_(ids))):
            rows[(category, row.tk_id)] = row
    items_activity = {
        i.tk_id: i.activity_tk_id for i in rows.values() if isinstance(i, AgendaItem) and i.activity_tk_id
    }
    days = {
        tk_id: day
        for tk_id, day in db.session.execute(
            select(Activity.tk_id, Activity.day).where(Activity.tk_id.in_(list(items_activity.values())))
        )
    }
    found = []
    for m in matches:
        row = rows.get((m.category, m.tk_id))
        if row is None:
            continue
        day = getattr(row, "day", None) or days.get(items_activity.get(m.tk_id, ""))
        if day is None and getattr(row, "started_at", None):
            day = row.started_at.date()
        title = getattr(row, "subject", None) or getattr(row, "title", None) or "—"
        found.append(Found(m, title, getattr(row, "kind", None), day, kamer_link(m.category, row.number)))
    found.sort(key=lambda f: (f.match.state != "new", -(f.day or date.min).toordinal()))
    return found


def activity_ids(*campaign_ids: int) -> set[str]:
    """The activities the campaigns follow: confirmed ones, those holding a confirmed agenda item or case."""
    confirmed = db.session.execute(
        select(WatchMatch.category, WatchMatch.tk_id).where(
            WatchMatch.campaign_id.in_(campaign_ids), WatchMatch.state == CONFIRMED
        )
    ).all()
    ids = {t for c, t in confirmed if c == "activity"}
    items = {t for c, t in confirmed if c == "item"}
    cases = [t for c, t in confirmed if c == "case"]
    for relation, target in db.session.execute(
        select(AgendaLink.relation, AgendaLink.target_tk_id).where(AgendaLink.source_tk_id.in_(cases))
    ):
        (ids if relation == "activiteit" else items if relation == "agendapunt" else set()).add(target)
    ids |= set(db.session.scalars(select(AgendaItem.activity_tk_id).where(AgendaItem.tk_id.in_(list(items)))))
    ids.discard(None)
    return ids


def followed_activities(campaign_id: int, now: datetime) -> tuple[list[Activity], list[Activity]]:
    """The campaign's upcoming activities (soonest first, undated last) and those of the last weeks (latest first)."""
    today = now.date()
    rows = list(
        db.session.scalars(
            select(Activity).where(
                Activity.tk_id.in_(list(activity_ids(campaign_id))),
                Activity.deleted.is_(False),
                or_(Activity.day.is_(None), Activity.day >= today - timedelta(days=RECENT_DAYS)),
            )
        )
    )
    upcoming = sorted(
        (a for a in rows if a.day is None or a.day >= today),
        key=lambda a: (a.day or date.max, a.starts_at or datetime.max),
    )
    recent = sorted((a for a in rows if a.day is not None and a.day < today), key=lambda a: a.day, reverse=True)
    return upcoming, recent
