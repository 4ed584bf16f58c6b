"""Whom a campaign's letters may go to: members of the House (all, or of given parties or committees) and extra
addresses from the directory; and turning a supporter's ticks into checked recipients."""

from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.directory import queries
from outreach.directory.models import ExtraTarget, Member
from outreach.directory.names import english_salutation
from outreach.extensions import db
from outreach.urls import parse_id

MEMBER, EXTRA = "member", "extra"
NOT_SELECTABLE = {
    "no_address": lazy_gettext("no e-mail address known"),
    "do_not_write": lazy_gettext("does not accept campaign letters"),
}


@dataclass
class Target:
    """One recipient a supporter can tick: a member or an extra address."""

    key: str  # "member:12" or "extra:3"
    name: str
    email: str | None
    member: Member | None = None
    extra: ExtraTarget | None = None

    @property
    def blocked(self) -> str | None:
        """Why this recipient cannot be chosen (shown, but without a tick box), or None."""
        if self.member is not None and self.member.do_not_write:
            return "do_not_write"
        return None if self.email else "no_address"

    @property
    def party(self) -> str | None:
        return self.member.party.abbreviation if self.member is not None and self.member.party else None

    def salutation(self, language: str) -> str:
        """How the letter opens, in the letter's language."""
        if self.member is not None:
            if language == "en":
                override = self.member.override.salutation if self.member.override else None
                return english_salutation(self.member.gender, self.member.prefix, self.member.surname, override)
            return self.member.salutation
        assert self.extra is not None
        if self.extra.salutation:
            return self.extra.salutation
        return "Dear Sir or Madam," if language == "en" else "Geachte heer/mevrouw,"


def member_target(member: Member) -> Target:
    return Target(f"{MEMBER}:{member.id}", member.name, member.effective_email, member=member)


def extra_target(extra: ExtraTarget) -> Target:
    return Target(f"{EXTRA}:{extra.id}", extra.name, extra.email, extra=extra)


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


def committee_members(campaign: Campaign, abbreviation: str) -> list[Target]:
    """ "All members of committee X": its full members the campaign may write to and who can be written to."""
    chosen = queries.MemberFilter(committee=abbreviation, role="member")
    return [t for t in map(member_target, eligible_members(campaign, chosen)) if t.blocked is None]


def parse_key(key: str) -> tuple[str, int] | None:
    """A ticked recipient's key ("member:12", "extra:3") as kind and id; None for anything else."""
    kind, _, number = key.partition(":")
    found = parse_id(number)
    return (kind, found) if kind in (MEMBER, EXTRA) and found is not None else None


def resolve(campaign: Campaign, keys: list[str]) -> tuple[list[Target], list[str]]:
    """The recipients behind ticked keys, in the order given, and the keys that are not (or no longer) choosable."""
    member_ids, extra_ids, bad = [], [], []
    for key in dict.fromkeys(keys):  # each once, order kept
        parsed = parse_key(key)
        if parsed is None:
            bad.append(key)
        else:
            (member_ids if parsed[0] == MEMBER else extra_ids).append(parsed[1])
    found: dict[str, Target] = {}
    if member_ids:
        for member in db.session.scalars(queries.with_details(select(Member).where(Member.id.in_(member_ids)))):
            if member_is_eligible(campaign, member):
                found[f"{MEMBER}:{member.id}"] = member_target(member)
    for extra in extra_targets(campaign):
        if extra.id in extra_ids:
            found[f"{EXTRA}:{extra.id}"] = extra_target(extra)
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
    leaders = []
    for role in ("chair", "vice-chair"):
        chosen = queries.MemberFilter(committee=abbreviation, role=role)
        leaders += [t for t in map(member_target, eligible_members(campaign, chosen)) if t.blocked is None]
    return leaders[: campaign.max_recipients]


def all_extra_targets() -> list[ExtraTarget]:
    """Every active extra address, for organisers choosing a campaign's."""
    return list(db.session.scalars(select(ExtraTarget).where(ExtraTarget.active.is_(True)).order_by(ExtraTarget.name)))
