"""Whom a campaign's letters may go to: members of the House (all, or of given parties or committees), extra
addresses from the directory and the addresses of its committees; and turning a supporter's ticks into checked
recipients."""

from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from outreach.campaigns.models import Campaign
from outreach.directory import queries
from outreach.directory.models import Committee, CommitteeOverride, CommitteeSeat, ExtraTarget, Member
from outreach.directory.names import english_salutation, local_name
from outreach.extensions import db
from outreach.urls import parse_id

MEMBER, EXTRA, COMMITTEE = "member", "extra", "committee"
NOT_SELECTABLE = {
    "no_address": lazy_gettext("no e-mail address known"),
    "do_not_write": lazy_gettext("does not accept campaign letters"),
}


@dataclass
class Target:
    """One recipient a supporter can tick: a member, an extra address or a committee's address."""

    key: str  # "member:12", "extra:3" or "committee:5"
    name: str
    email: str | None
    member: Member | None = None
    extra: ExtraTarget | None = None
    committee: Committee | None = None

    @property
    def blocked(self) -> str | None:
        """Why this recipient cannot be chosen (shown, but without a tick box), or None."""
        if self.member is not None and self.member.do_not_write:
            return "do_not_write"
        return None if self.email else "no_address"

    @property
    def label(self) -> str:
        """The name shown on the page: a committee's in the visitor's language."""
        return local_name(self.committee) if self.committee is not None else self.name

    @property
    def party(self) -> str | None:
        return self.member.party.abbreviation if self.member is not None and self.member.party else None

    def seats(self, committee: str = "") -> tuple[list[CommitteeSeat], list[CommitteeSeat]]:
        """A member's current seats on `committee` (the one being looked at; a substitute's seat too), and their
        full seats on other committees."""
        if self.member is None:
            return [], []
        here = queries.seats_on(self.member, committee)
        others = [
            seat
            for seat in self.member.seats
            if seat not in here and not seat.substitute and seat.committee.active_until is None
        ]
        return here, sorted(others, key=lambda seat: seat.committee.name_nl)

    def salutation(self, language: str) -> str:
        """How the letter opens, in the letter's language."""
        if self.member is not None:
            if language == "en":
                override = self.member.override.salutation if self.member.override else None
                return english_salutation(self.member.gender, self.member.prefix, self.member.surname, override)
            return self.member.salutation
        if self.committee is not None:
            if language == "en":
                return f"Dear members of the {self.committee.name_en or self.committee.name_nl},"
            return f"Geachte leden van de {self.committee.name_nl},"
        assert self.extra is not None
        if self.extra.salutation:
            return self.extra.salutation
        return "Dear Sir or Madam," if language == "en" else "Geachte heer/mevrouw,"


def member_target(member: Member) -> Target:
    return Target(f"{MEMBER}:{member.id}", member.name, member.effective_email, member=member)


def extra_target(extra: ExtraTarget) -> Target:
    return Target(f"{EXTRA}:{extra.id}", extra.name, extra.email, extra=extra)


def committee_target(committee: Committee) -> Target:
    return Target(f"{COMMITTEE}:{committee.id}", committee.name_nl, committee.email, committee=committee)


def member_is_eligible(campaign: Campaign, member: Member) -> bool:
    """A current member the campaign may write to: every member, or one of its parties or committees."""
    if not member.is_current:
        return False
    if campaign.all_members:
        return True
    if member.party and member.party.abbreviation in (campaign.parties or []):
        return True
    return any(
        seat.committee.abbreviation in (campaign.committees or []) and not seat.substitute for seat in member.seats
    )


def eligible_members(campaign: Campaign, chosen: queries.MemberFilter | None = None) -> list[Member]:
    """The campaign's members matching the visitor's filter, in name order."""
    found = queries.find_members(chosen or queries.MemberFilter())
    return [member for member in found if member_is_eligible(campaign, member)]


def extra_targets(campaign: Campaign) -> list[ExtraTarget]:
    if not campaign.extra_targets:
        return []
    return list(
        db.session.scalars(
            select(ExtraTarget)
            .where(ExtraTarget.id.in_(campaign.extra_targets), ExtraTarget.active.is_(True))
            .order_by(ExtraTarget.name)
        )
    )


def committee_targets(campaign: Campaign) -> list[Committee]:
    """The committees whose own address a letter may go to: those with an address an organiser entered, of a
    campaign that writes to every member or names the committee."""
    stmt = (
        select(Committee)
        .join(CommitteeOverride, CommitteeOverride.committee_id == Committee.id)
        .where(Committee.active_until.is_(None), CommitteeOverride.email.is_not(None), CommitteeOverride.email != "")
        .options(contains_eager(Committee.override))  # loaded by the join itself: one statement
        .order_by(Committee.name_nl)
    )
    if not campaign.all_members:
        stmt = stmt.where(Committee.abbreviation.in_(campaign.committees or []))
    return list(db.session.scalars(stmt))


def _committee_rank(target: Target, abbreviation: str) -> int:
    seats = [s for s in target.member.seats if s.committee.abbreviation == abbreviation] if target.member else []
    if any(seat.is_chair for seat in seats):
        return 0
    return 1 if any(seat.is_vice_chair for seat in seats) else 2


def committee_members(campaign: Campaign, abbreviation: str) -> list[Target]:
    """ "All members of committee X": its full members the campaign may write to and who can be written to, the
    chair first, then the vice-chairs, then the others by name (so that a cap leaves out the last of these)."""
    chosen = queries.MemberFilter(committee=abbreviation, role="member")
    found = [t for t in map(member_target, eligible_members(campaign, chosen)) if t.blocked is None]
    return sorted(found, key=lambda target: _committee_rank(target, abbreviation))  # stable: name order kept


def parse_key(key: str) -> tuple[str, int] | None:
    """A ticked recipient's key ("member:12", "extra:3", "committee:5") as kind and id; None for anything else."""
    kind, _, number = key.partition(":")
    found = parse_id(number)
    return (kind, found) if kind in (MEMBER, EXTRA, COMMITTEE) and found is not None else None


def resolve(campaign: Campaign, keys: list[str]) -> tuple[list[Target], list[str]]:
    """The recipients behind ticked keys, in the order given, and the keys that are not (or no longer) choosable."""
    ids: dict[str, list[int]] = {MEMBER: [], EXTRA: [], COMMITTEE: []}
    bad = []
    for key in dict.fromkeys(keys):  # each once, order kept
        parsed = parse_key(key)
        if parsed is None:
            bad.append(key)
        else:
            ids[parsed[0]].append(parsed[1])
    member_ids, extra_ids = ids[MEMBER], ids[EXTRA]
    found: dict[str, Target] = {}
    if member_ids:
        for member in db.session.scalars(queries.with_details(select(Member).where(Member.id.in_(member_ids)))):
            if member_is_eligible(campaign, member):
                found[f"{MEMBER}:{member.id}"] = member_target(member)
    if extra_ids:
        for extra in extra_targets(campaign):
            if extra.id in extra_ids:
                found[f"{EXTRA}:{extra.id}"] = extra_target(extra)
    if ids[COMMITTEE]:
        for committee in committee_targets(campaign):
            if committee.id in ids[COMMITTEE]:
                found[f"{COMMITTEE}:{committee.id}"] = committee_target(committee)
    targets = []
    for key in dict.fromkeys(keys):
        target = found.get(key)
        if target is None or target.blocked:
            if key not in bad:
                bad.append(key)
        else:
            targets.append(target)
    return targets, bad


def committee_leaders(campaign: Campaign, abbreviation: str) -> list[Target]:
    """The chair and vice-chairs of a committee: the campaign's default selection (a whole committee is usually
    more than one letter may go to)."""
    # One look-up of the committee's members (every visit to the chooser starts here), its leaders picked from them.
    found = map(member_target, eligible_members(campaign, queries.MemberFilter(committee=abbreviation)))
    ranked = [(rank, t) for t in found if t.blocked is None and (rank := _committee_rank(t, abbreviation)) < 2]
    return [t for _, t in sorted(ranked, key=lambda pair: pair[0])][: campaign.max_recipients]


def all_extra_targets() -> list[ExtraTarget]:
    """Every active extra address, for organisers choosing a campaign's."""
    return list(db.session.scalars(select(ExtraTarget).where(ExtraTarget.active.is_(True)).order_by(ExtraTarget.name)))
