"""From the mirrored SyncFeed entities to the current directory: who sits now, for which party, on which committees.

The rules (see the Kamer's data documentation):
- a current member holds a party seat (`fractieZetelPersoon`) that has begun and has no `totEnMet`, or one not yet
  past, and is recorded with `functie` "Tweede Kamerlid"; persons without number or surname are placeholders;
- the party is the `fractie` of that seat (a party has a record per period; the seat points at the right one);
- committees are those without `datumInactief` (or one in the future); a member's committee seats are the open
  `commissieZetelVastPersoon` (full) and `commissieZetelVervangerPersoon` (substitute) rows;
- the e-mail address is a `persoonContactinformatie` of soort "E-mail": a @tweedekamer.nl address first, then the
  lowest `gewicht`. It is never made up from a name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from outreach.validation import is_email

Mirror = Callable[[str], dict[str, dict[str, Any]]]
MEMBER_FUNCTION = "Tweede Kamerlid"


@dataclass
class DerivedParty:
    tk_id: str
    number: int | None
    abbreviation: str
    name_nl: str
    name_en: str | None
    seats: int | None
    active_from: date | None
    active_until: date | None


@dataclass
class DerivedCommittee:
    tk_id: str
    number: str | None
    kind: str | None
    abbreviation: str
    name_nl: str
    name_en: str | None
    active_from: date | None


@dataclass
class DerivedSeat:
    tk_id: str
    committee_tk_id: str
    role: str
    substitute: bool
    since: date | None


@dataclass
class DerivedMember:
    tk_id: str
    number: int | None
    titles: str | None
    initials: str | None
    given_names: str | None
    first_name: str
    prefix: str | None
    surname: str
    gender: str | None
    function: str | None
    party_tk_id: str | None
    party_role: str | None
    seated_since: date | None
    email: str | None
    seats: list[DerivedSeat] = field(default_factory=list)


@dataclass
class Directory:
    members: dict[str, DerivedMember]
    parties: dict[str, DerivedParty]
    committees: dict[str, DerivedCommittee]
    warnings: list[str] = field(default_factory=list)


def to_date(value: str | None) -> date | None:
    """The date part of a feed date or date-time; None when absent or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def to_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def is_open(fields: dict[str, Any], today: date) -> bool:
    """A seat that has begun and has not ended (`totEnMet` is the last day, inclusive)."""
    start, end = to_date(fields.get("van")), to_date(fields.get("totEnMet"))
    return (start is None or start <= today) and (end is None or end >= today)


def _latest_open(rows: list[tuple[str, dict[str, Any]]], today: date) -> list[tuple[str, dict[str, Any]]]:
    open_rows = [(tk_id, row) for tk_id, row in rows if is_open(row["fields"], today)]
    return sorted(open_rows, key=lambda r: (to_date(r[1]["fields"].get("van")) or date.min, r[0]), reverse=True)


def pick_email(contacts: list[dict[str, Any]]) -> str | None:
    """The address letters go to, from a person's contact rows."""
    addresses = []
    for contact in contacts:
        fields = contact["fields"]
        value = (fields.get("waarde") or "").strip()
        if (fields.get("soort") or "").strip().lower() != "e-mail" or not is_email(value):
            continue
        weight = to_int(fields.get("gewicht"))
        addresses.append(
            (not value.lower().endswith("@tweedekamer.nl"), weight if weight is not None else 1 << 30, value)
        )
    return min(addresses)[2] if addresses else None


def _party(fractie_id: str, row: dict[str, Any]) -> DerivedParty:
    f = row["fields"]
    return DerivedParty(
        tk_id=fractie_id,
        number=to_int(f.get("nummer")),
        abbreviation=f.get("afkorting") or f.get("naamNl") or "?",
        name_nl=f.get("naamNl") or f.get("afkorting") or "?",
        name_en=f.get("naamEn"),
        seats=to_int(f.get("aantalZetels")),
        active_from=to_date(f.get("datumActief")),
        active_until=to_date(f.get("datumInactief")),
    )


def _committees(mirror: Mirror, today: date) -> dict[str, DerivedCommittee]:
    committees = {}
    for tk_id, row in mirror("Commissie").items():
        f = row["fields"]
        ended = to_date(f.get("datumInactief"))
        if ended is not None and ended < today:
            continue
        name = f.get("naamNl") or f.get("naamWebNl") or f.get("afkorting") or f.get("nummer")
        if not name:
            continue
        committees[tk_id] = DerivedCommittee(
            tk_id=tk_id,
            number=f.get("nummer"),
            kind=f.get("soort"),
            abbreviation=(f.get("afkorting") or f.get("nummer") or name)[:40],
            name_nl=name,
            name_en=f.get("naamEn") or f.get("naamWebEn"),
            active_from=to_date(f.get("datumActief")),
        )
    return committees


def derive(mirror: Mirror, today: date) -> Directory:
    """The current directory as the mirrored entities describe it on `today`."""
    persons = mirror("Persoon")
    fracties, fractie_seats = mirror("Fractie"), mirror("FractieZetel")
    directory = Directory(members={}, parties={}, committees=_committees(mirror, today))

    seats_by_person: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for tk_id, row in mirror("FractieZetelPersoon").items():
        if "persoon" in row["refs"]:
            seats_by_person.setdefault(row["refs"]["persoon"], []).append((tk_id, row))

    for person_id, seats in seats_by_person.items():
        open_seats = _latest_open(seats, today)
        person = persons.get(person_id)
        if not open_seats or person is None:
            continue
        p = person["fields"]
        if not p.get("nummer") or not p.get("achternaam"):
            continue  # a placeholder person
        if (p.get("functie") or "").strip() != MEMBER_FUNCTION:
            directory.warnings.append(
                f"{p.get('achternaam')} ({person_id}) holds an open party seat but is recorded as "
                f"{p.get('functie')!r}; not listed"
            )
            continue
        seat_row = open_seats[0][1]
        fractie_seat = fractie_seats.get(seat_row["refs"].get("fractieZetel", ""))
        fractie_id = fractie_seat["refs"].get("fractie") if fractie_seat else None
        party_id = fractie_id if fractie_id in fracties else None
        if party_id is None:
            directory.warnings.append(f"{p.get('achternaam')} ({person_id}): party of the open seat is unknown")
        else:
            directory.parties.setdefault(party_id, _party(party_id, fracties[party_id]))
        gender = (p.get("geslacht") or "").strip().lower()
        first = p.get("roepnaam") or (p.get("voornamen") or "").split(" ")[0] or p.get("initialen") or ""
        directory.members[person_id] = DerivedMember(
            tk_id=person_id,
            number=to_int(p.get("nummer")),
            titles=p.get("titels"),
            initials=p.get("initialen"),
            given_names=p.get("voornamen"),
            first_name=first,
            prefix=p.get("tussenvoegsel"),
            surname=p["achternaam"],
            gender=gender if gender in ("man", "vrouw") else None,
            function=p.get("functie"),
            party_tk_id=party_id,
            party_role=seat_row["fields"].get("functie"),
            seated_since=to_date(seat_row["fields"].get("van")),
            email=None,
        )

    contacts: dict[str, list[dict[str, Any]]] = {}
    for row in mirror("PersoonContactinformatie").values():
        if row["refs"].get("persoon") in directory.members:
            contacts.setdefault(row["refs"]["persoon"], []).append(row)
    for person_id, rows in contacts.items():
        directory.members[person_id].email = pick_email(rows)

    _add_committee_seats(directory, mirror, today)
    return directory


def _add_committee_seats(directory: Directory, mirror: Mirror, today: date) -> None:
    committee_of_seat = {
        tk_id: row["refs"].get("commissie")
        for tk_id, row in mirror("CommissieZetel").items()
        if row["refs"].get("commissie") in directory.committees
    }
    for category, substitute in (("CommissieZetelVastPersoon", False), ("CommissieZetelVervangerPersoon", True)):
        by_key: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        for tk_id, row in mirror(category).items():
            person_id = row["refs"].get("persoon")
            committee_id = committee_of_seat.get(row["refs"].get("commissieZetel", ""))
            if person_id in directory.members and committee_id:
                by_key.setdefault((person_id, committee_id), []).append((tk_id, row))
        for (person_id, committee_id), rows in by_key.items():
            open_rows = _latest_open(rows, today)
            if not open_rows:
                continue
            tk_id, row = open_rows[0]
            role = row["fields"].get("functie") or ("Plv. lid" if substitute else "Lid")
            directory.members[person_id].seats.append(
                DerivedSeat(tk_id, committee_id, role, substitute, to_date(row["fields"].get("van")))
            )
