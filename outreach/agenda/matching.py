"""Which of the House's activities, agenda items and cases a campaign's watches find.

Keywords match whole words, without regard to case or accents ("karabach" finds "Nagorno-Karabach", "khojaly"
finds "Khojalı", "kaukasus" does not find "Kaukasusbeleid"); a committee watch finds the activities that committee
leads; a dossier watch (36600 or 36600-V) finds the dossier's cases and the agenda items and activities they are on.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, select

from outreach.agenda.models import (
    NEW,
    Activity,
    AgendaItem,
    AgendaLink,
    CampaignWatch,
    Case,
    Dossier,
    WatchMatch,
)
from outreach.database import utcnow
from outreach.directory.names import fold
from outreach.extensions import db

CATEGORY_MODELS = {"activity": Activity, "item": AgendaItem, "case": Case}
_SEPARATORS = re.compile(r"[\s\-‐–—/]+")
_DOSSIER = re.compile(r"^\s*(\d{4,6})(?:\s*-\s*([A-Za-z0-9]{1,10}))?\s*$")


def normalise(text: str | None) -> str:
    """Text as keywords are compared with it: folded, hyphens and slashes read as spaces."""
    return _SEPARATORS.sub(" ", fold(text)).strip()


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern finding any of the keywords as whole words in normalised text."""
    words = sorted({normalise(k) for k in keywords if normalise(k)}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def parse_dossier(value: str) -> tuple[int, str | None] | None:
    """A dossier number as organisers write it: 36600, or 36600-V with its suffix."""
    found = _DOSSIER.match(value)
    return (int(found[1]), found[2].upper() if found[2] else None) if found else None


class _Mirror:
    """The mirror's texts and committees as watches compare with them: read and normalised once per refresh, lazily,
    however many campaigns and watches ask (a sync refreshes every campaign)."""

    def __init__(self) -> None:
        self._texts: list[tuple[str, str, str]] | None = None
        self._committees: dict[str, list[str]] | None = None

    def texts(self) -> list[tuple[str, str, str]]:
        """(category, tk_id, normalised text) of every activity, agenda item and case."""
        if self._texts is None:
            rows = {
                "activity": select(Activity.tk_id, Activity.subject).where(Activity.deleted.is_(False)),
                "item": select(AgendaItem.tk_id, AgendaItem.subject).where(AgendaItem.deleted.is_(False)),
                "case": select(Case.tk_id, Case.subject, Case.title).where(Case.deleted.is_(False)),
            }
            self._texts = [
                (category, tk_id, " | ".join(normalise(t) for t in texts if t))
                for category, query in rows.items()
                for tk_id, *texts in db.session.execute(query)
            ]
        return self._texts

    def committees(self) -> dict[str, list[str]]:
        """The activities by their leading committee's abbreviation and name, folded."""
        if self._committees is None:
            self._committees = defaultdict(list)
            activities = select(Activity.tk_id, Activity.committee_abbreviation, Activity.committee_name).where(
                Activity.deleted.is_(False)
            )
            for tk_id, abbreviation, name in db.session.execute(activities):
                for key in {fold(abbreviation), fold(name)}:
                    self._committees[key].append(tk_id)
        return self._committees


def find_matches(watches: list[CampaignWatch], mirror: _Mirror | None = None) -> dict[tuple[str, str], str]:
    """Everything one campaign's watches find now: (category, tk_id) → the watch that found it."""
    mirror = mirror or _Mirror()
    found: dict[tuple[str, str], str] = {}
    keywords = [w for w in watches if w.kind == "keyword"]
    pattern = keyword_pattern(w.value for w in keywords)
    if pattern is not None:
        reasons: dict[str, str] = {}
        for watch in keywords:
            reasons.setdefault(normalise(watch.value), watch.value)
        for category, tk_id, text in mirror.texts():
            if hit := pattern.search(text):
                found[(category, tk_id)] = reasons.get(hit[0], hit[0])
    for watch in (w for w in watches if w.kind == "committee"):
        for tk_id in mirror.committees().get(fold(watch.value), []):
            found.setdefault(("activity", tk_id), watch.value)
    for watch in (w for w in watches if w.kind == "dossier"):
        for key in _dossier_matches(watch.value):
            found.setdefault(key, watch.value)
    return found


def _dossier_matches(value: str) -> list[tuple[str, str]]:
    parsed = parse_dossier(value)
    if parsed is None:
        return []
    number, suffix = parsed
    query = select(Dossier.tk_id).where(Dossier.number == number, Dossier.deleted.is_(False))
    if suffix:
        query = query.where(db.func.upper(Dossier.suffix) == suffix)
    dossiers = list(db.session.scalars(query))
    cases = list(
        db.session.scalars(select(Case.tk_id).where(Case.dossier_tk_id.in_(dossiers), Case.deleted.is_(False)))
    )
    links = db.session.execute(
        select(AgendaLink.relation, AgendaLink.target_tk_id).where(AgendaLink.source_tk_id.in_(cases))
    )
    kinds = {"agendapunt": "item", "activiteit": "activity"}
    return [("case", c) for c in cases] + [(kinds[r], t) for r, t in links if r in kinds]


def refresh(campaign_ids: Iterable[int] | None = None) -> int:
    """Bring the campaigns' matches up to date; returns how many new ones were found. The caller commits.

    A match the organiser decided on stays as decided; an undecided one that no longer matches goes.
    """
    query = select(CampaignWatch)
    if campaign_ids is not None:
        query = query.where(CampaignWatch.campaign_id.in_(list(campaign_ids)))
    by_campaign: dict[int, list[CampaignWatch]] = defaultdict(list)
    for watch in db.session.scalars(query):
        by_campaign[watch.campaign_id].append(watch)
    for campaign_id in set(campaign_ids or ()) - set(by_campaign):
        by_campaign[campaign_id] = []
    added, now, mirror = 0, utcnow(), _Mirror()
    for campaign_id, watches in by_campaign.items():
        found = find_matches(watches, mirror)
        existing = {
            (m.category, m.tk_id): m
            for m in db.session.scalars(select(WatchMatch).where(WatchMatch.campaign_id == campaign_id))
        }
        gone = [m.id for key, m in existing.items() if m.state == NEW and key not in found]
        if gone:
            db.session.execute(delete(WatchMatch).where(WatchMatch.id.in_(gone)))
        for (category, tk_id), reason in found.items():
            if (category, tk_id) not in existing:
                db.session.add(
                    WatchMatch(campaign_id=campaign_id, category=category, tk_id=tk_id, reason=reason, found_at=now)
                )
                added += 1
    return added
