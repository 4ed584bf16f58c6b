"""Reading the directory: the member finder with its filters, party and committee listings, counts."""

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import selectinload

from outreach.directory.models import (
    CHAIR_ROLES,
    SOURCE_DEMO,
    VICE_CHAIR_ROLES,
    Committee,
    CommitteeSeat,
    Member,
    MemberOverride,
    Party,
)
from outreach.directory.names import fold
from outreach.extensions import db

ROLES = ("chair", "vice-chair", "member", "substitute")
MAX_QUERY_LENGTH = 100


@dataclass
class MemberFilter:
    """What a visitor asked the member finder for, already checked; `unknown` names values we did not know."""

    q: str = ""
    party: str = ""
    committee: str = ""
    role: str = ""
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.q or self.party or self.committee or self.role or self.unknown)


def current_parties() -> list[tuple[Party, int]]:
    """Parties with seats now, largest first, with their number of current members."""
    count = func.count(Member.id)
    rows = db.session.execute(
        select(Party, count)
        .join(Member, Member.party_id == Party.id)
        .where(Member.is_current)
        .group_by(Party.id)
        .order_by(count.desc(), Party.abbreviation)
    )
    return [(party, n) for party, n in rows]


def active_committees() -> list[tuple[Committee, int]]:
    """Committees that exist now, by name, with their number of current full members."""
    full_members = (
        select(func.count(CommitteeSeat.id))
        .join(Member, Member.id == CommitteeSeat.member_id)
        .where(CommitteeSeat.committee_id == Committee.id, Member.is_current, CommitteeSeat.substitute.is_(False))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Committee, full_members)
        .where(Committee.active_until.is_(None))
        .options(selectinload(Committee.override))
        .order_by(Committee.name_nl)
    )
    return [(committee, n) for committee, n in rows]


def _match(wanted: str, known: list[str]) -> str | None:
    lookup = {value.casefold(): value for value in known}
    return lookup.get(wanted.strip().casefold())


def parse_member_filter(args: dict[str, str], parties: list[str], committees: list[str]) -> MemberFilter:
    """Turn query-string values into a filter; unknown parties, committees or roles are kept to be reported."""
    chosen = MemberFilter()
    q = "".join(ch for ch in args.get("q", "") if ch.isprintable())[:MAX_QUERY_LENGTH]
    chosen.q = " ".join(q.split())
    for name, known in (("party", parties), ("committee", committees), ("role", list(ROLES))):
        value = args.get(name, "").strip()
        if not value:
            continue
        match = _match(value, known)
        if match is None:
            chosen.unknown[name] = value[:MAX_QUERY_LENGTH]
        else:
            setattr(chosen, name, match)
    return chosen


def _role_condition(role: str) -> ColumnElement[bool]:
    full = CommitteeSeat.substitute.is_(False)
    return {
        "chair": and_(full, CommitteeSeat.role.in_(CHAIR_ROLES)),
        "vice-chair": and_(full, CommitteeSeat.role.in_(VICE_CHAIR_ROLES)),
        "member": full,
        "substitute": CommitteeSeat.substitute.is_(True),
    }[role]


def with_details(stmt: Select[tuple[Member]]) -> Select[tuple[Member]]:
    """Load what member lists and pages show (party, corrections, seats and their committees) in fixed queries."""
    return stmt.options(
        selectinload(Member.party),
        selectinload(Member.override),
        selectinload(Member.seats).selectinload(CommitteeSeat.committee),
    )


def _members_query() -> Select[tuple[Member]]:
    return with_details(select(Member).where(Member.is_current)).order_by(Member.sort_name, Member.id)


def member(member_id: int) -> Member | None:
    """One member, current or former, with what their page shows."""
    return db.session.scalar(with_details(select(Member).where(Member.id == member_id)))


def find_members(chosen: MemberFilter) -> list[Member]:
    """Current members matching every part of the filter; a name search ignores case and accents."""
    if chosen.unknown:
        return []
    stmt = _members_query()
    for word in fold(chosen.q).split():
        stmt = stmt.where(Member.search_name.contains(word, autoescape=True))
    if chosen.party:
        stmt = stmt.where(Member.party.has(Party.abbreviation == chosen.party))
    if chosen.committee or chosen.role:
        seat = [CommitteeSeat.member_id == Member.id]
        if chosen.committee:
            seat.append(CommitteeSeat.committee.has(Committee.abbreviation == chosen.committee))
        if chosen.role:
            seat.append(_role_condition(chosen.role))
        stmt = stmt.where(exists().where(*seat))
    return list(db.session.scalars(stmt))


def party_members(party_ids: list[int]) -> list[Member]:
    """Current members of the given party records."""
    return list(db.session.scalars(_members_query().where(Member.party_id.in_(party_ids))))


def committee_seats(committee: Committee) -> list[CommitteeSeat]:
    """The committee's seats held by current members, in name order."""
    return list(
        db.session.scalars(
            select(CommitteeSeat)
            .join(Member, Member.id == CommitteeSeat.member_id)
            .where(CommitteeSeat.committee_id == committee.id, Member.is_current)
            .options(selectinload(CommitteeSeat.member).selectinload(Member.party))
            .order_by(Member.sort_name)
        )
    )


def directory_is_demo() -> bool:
    """True while the directory holds the bundled fictional members rather than the real House."""
    return bool(db.session.scalar(select(exists().where(Member.source == SOURCE_DEMO))))


def directory_counts() -> dict[str, int]:
    """The directory at a glance: current members, parties, committees, members without an address."""
    members = db.session.execute(
        select(
            func.count(Member.id),
            func.count(func.distinct(Member.party_id)),
            func.count(Member.id).filter(
                Member.email.is_(None), ~Member.override.has(MemberOverride.email.is_not(None))
            ),
        ).where(Member.is_current)
    ).one()
    committees = db.session.scalar(select(func.count(Committee.id)).where(Committee.active_until.is_(None)))
    return {
        "members": members[0],
        "parties": members[1],
        "committees": committees or 0,
        "no_address": members[2],
    }


def seats_on(member: Member, committee: str) -> list[CommitteeSeat]:
    """A member's seats on the committee a list is filtered on (a substitute's too), to show their role in it."""
    return [seat for seat in member.seats if seat.committee.abbreviation == committee] if committee else []
