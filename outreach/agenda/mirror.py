"""Storing agenda pages: each category keeps the few fields campaigns need, typed, with the directory's cursors.

Like the directory's mirror, a page and its cursor are stored in one transaction, an older version never replaces
a newer one, and storing the same page twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from outreach.agenda.models import (
    Activity,
    ActivityActor,
    AgendaItem,
    AgendaLink,
    Case,
    CaseActor,
    Decision,
    Document,
    Dossier,
    Vote,
)
from outreach.directory.mirror import is_replay, move_cursor, parse_timestamp
from outreach.directory.syncfeed import Entity, Page
from outreach.extensions import db


def _text(value: str) -> str:
    return value


def _clip(size: int) -> Callable[[str], str]:
    return lambda value: value[:size]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])  # the House's own calendar day, before any time zone
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _bool(value: str) -> bool:
    return value.lower() == "true"


def _moment(value: str) -> datetime | None:
    return parse_timestamp(value)


@dataclass
class Spec:
    """How one category is stored: its model, column ← field (with a converter), column ← reference."""

    model: type
    fields: dict[str, tuple[str, Callable[[str], Any]]]
    refs: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()  # references held many times, kept in AgendaLink
    keep: Callable[[Entity], bool] | None = None  # which new entities to store at all (later versions always are)


ANSWER, POSTPONED = "Antwoord schriftelijke vragen", "Mededeling uitstel antwoord"
ANSWER_KINDS = (ANSWER, POSTPONED)


def _is_answer(entity: Entity) -> bool:
    """A document the ledger shows: an answer to written questions or a postponement notice, on some case."""
    return entity.fields.get("soort") in ANSWER_KINDS and bool(entity.ref_lists.get("zaak"))


SHORT, NAME, LONG = _clip(40), _clip(120), _text
SPECS: dict[str, Spec] = {
    "Activiteit": Spec(
        Activity,
        {
            "kind": ("soort", _clip(80)),
            "number": ("nummer", SHORT),
            "subject": ("onderwerp", LONG),
            "date_kind": ("datumSoort", SHORT),
            "day": ("datum", _day),
            "starts_at": ("aanvangstijd", _moment),
            "ends_at": ("eindtijd", _moment),
            "status": ("status", SHORT),
            "location": ("locatie", NAME),
            "committee_name": ("voortouwnaam", _clip(200)),
            "committee_abbreviation": ("voortouwafkorting", SHORT),
        },
        {"committee_tk_id": "voortouwcommissie"},
    ),
    "ActiviteitActor": Spec(
        ActivityActor,
        {
            "name": ("actorNaam", NAME),
            "party": ("actorFractie", _clip(60)),
            "relation": ("relatie", _clip(60)),
            "function": ("functie", NAME),
            "position": ("volgorde", _int),
        },
        {"activity_tk_id": "activiteit", "person_tk_id": "persoon"},
    ),
    "Agendapunt": Spec(
        AgendaItem,
        {
            "number": ("nummer", SHORT),
            "subject": ("onderwerp", LONG),
            "position": ("volgorde", _int),
            "status": ("status", SHORT),
        },
        {"activity_tk_id": "activiteit"},
    ),
    "Zaak": Spec(
        Case,
        {
            "kind": ("soort", _clip(60)),
            "number": ("nummer", SHORT),
            "subject": ("onderwerp", LONG),
            "title": ("titel", LONG),
            "started_at": ("gestartOp", _moment),
            "status": ("status", _clip(60)),
        },
        {"dossier_tk_id": "kamerstukdossier"},
        links=("activiteit", "agendapunt"),
    ),
    "ZaakActor": Spec(
        CaseActor,
        {"name": ("actorNaam", NAME), "party": ("actorFractie", _clip(60)), "relation": ("relatie", _clip(60))},
        {"case_tk_id": "zaak", "person_tk_id": "persoon"},
    ),
    "Besluit": Spec(
        Decision,
        {
            "kind": ("besluitSoort", NAME),
            "text": ("besluitTekst", LONG),
            "vote_kind": ("stemmingsSoort", _clip(60)),
            "status": ("status", SHORT),
        },
        {"agenda_item_tk_id": "agendapunt"},
        links=("zaak",),
    ),
    "Stemming": Spec(
        Vote,
        {
            "choice": ("soort", _clip(30)),
            "party_size": ("fractieGrootte", _int),
            "name": ("actorNaam", NAME),
            "party": ("actorFractie", _clip(60)),
            "mistaken": ("vergissing", _bool),
        },
        {"decision_tk_id": "besluit", "person_tk_id": "persoon", "party_tk_id": "fractie"},
    ),
    "Kamerstukdossier": Spec(
        Dossier, {"number": ("nummer", _int), "suffix": ("toevoeging", _clip(20)), "title": ("titel", LONG)}
    ),
    "Document": Spec(
        Document,
        {
            "kind": ("soort", _clip(80)),
            "number": ("documentNummer", SHORT),
            "subject": ("onderwerp", LONG),
            "day": ("datum", _day),
        },
        links=("zaak",),
        keep=_is_answer,
    ),
}
CATEGORIES = tuple(SPECS)


def _values(spec: Spec, entity: Entity) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, (name, convert) in spec.fields.items():
        raw = None if entity.deleted else entity.fields.get(name)
        values[column] = convert(raw) if raw is not None else None
    for column, name in spec.refs.items():
        values[column] = None if entity.deleted else entity.refs.get(name)
    return values


def store_page(category: str, page: Page, page_url: str) -> int:
    """Store a page of an agenda category and move its cursor; returns how many entities changed. Caller commits."""
    spec = SPECS[category]
    model = spec.model
    incoming: dict[str, Entity] = {}
    for entry in page.entries:  # of two versions on one page, the newer one counts, wherever a replay puts it
        earlier = incoming.get(entry.entity.id)
        if earlier is None or not is_replay(parse_timestamp(earlier.updated), parse_timestamp(entry.entity.updated)):
            incoming[entry.entity.id] = entry.entity
    stored = {row.tk_id: row for row in db.session.scalars(select(model).where(model.tk_id.in_(list(incoming))))}
    changed, relinked = 0, []
    for entity in incoming.values():
        updated = parse_timestamp(entity.updated)
        row = stored.get(entity.id)
        if row is None:
            if spec.keep and not entity.deleted and not spec.keep(entity):
                continue  # not one campaigns need; a deletion keeps its small tombstone, so no replay revives it
            row = model(tk_id=entity.id)
            db.session.add(row)
        elif is_replay(row.updated, updated):
            continue
        values = {"updated": updated, "deleted": entity.deleted, **_values(spec, entity)}
        if any(getattr(row, key) != value for key, value in values.items()):
            changed += 1
        for key, value in values.items():
            setattr(row, key, value)
        relinked.append(entity)
    if spec.links and relinked:
        _replace_links(spec, relinked)
    move_cursor(category, page, page_url)
    return changed


def _replace_links(spec: Spec, entities: list[Entity]) -> None:
    db.session.execute(delete(AgendaLink).where(AgendaLink.source_tk_id.in_([e.id for e in entities])))
    rows = {
        (entity.id, relation, target)
        for entity in entities
        if not entity.deleted
        for relation in spec.links
        for target in entity.ref_lists.get(relation, [])
    }
    db.session.add_all(AgendaLink(source_tk_id=s, relation=r, target_tk_id=t) for s, r, t in rows)
