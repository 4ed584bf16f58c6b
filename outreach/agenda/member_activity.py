"""A member's recent activity on the subjects public campaigns follow: debates they spoke in, cases they submitted,
and their votes (their own in a roll call, else their party's), shown on their page in the directory."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from outreach.agenda import actions, ledger, queries
from outreach.agenda.models import Activity, ActivityActor, CaseActor, WatchMatch
from outreach.campaigns.models import DRAFT, Campaign
from outreach.directory import hooks
from outreach.directory.models import Member
from outreach.extensions import db

RECENT = timedelta(days=365)
SHOWN = 10


@dataclass
class Activities:
    spoke: list[Activity]
    submitted: list[ledger.LedgerCase]
    voted: list[tuple[ledger.LedgerCase, ledger.LedgerDecision, str | None, bool]]  # case, decision, choice, own

    def __bool__(self) -> bool:
        return bool(self.spoke or self.submitted or self.voted)


def public_campaigns() -> list[int]:
    """Campaigns that are public (not drafts) and follow something."""
    followed = select(WatchMatch.campaign_id).distinct()
    return list(db.session.scalars(select(Campaign.id).where(Campaign.status != DRAFT, Campaign.id.in_(followed))))


def recent_activity(member: Member, today: date) -> Activities:
    """What `member` did in the last year on the public campaigns' confirmed subjects."""
    campaigns = public_campaigns() if member.tk_id else []
    if not campaigns:
        return Activities([], [], [])
    activity_ids = queries.activity_ids(*campaigns)
    spoke = list(
        db.session.scalars(
            select(Activity)
            .join(ActivityActor, ActivityActor.activity_tk_id == Activity.tk_id)
            .where(
                ActivityActor.person_tk_id == member.tk_id,
                ActivityActor.deleted.is_(False),
                Activity.tk_id.in_(activity_ids),
                Activity.day >= today - RECENT,
                Activity.day <= today,
            )
            .order_by(Activity.day.desc())
            .limit(SHOWN)
        )
    )
    cases = {entry.case.tk_id: entry for entry in ledger.build(*campaigns)}
    mine = set(
        db.session.scalars(
            select(CaseActor.case_tk_id).where(
                CaseActor.person_tk_id == member.tk_id,
                CaseActor.case_tk_id.in_(list(cases)),
                CaseActor.deleted.is_(False),
            )
        )
    )
    submitted = [cases[c] for c in mine][:SHOWN]
    party = member.party
    voted = []
    for entry in cases.values():
        for decision in entry.decisions:
            if decision.day is None or decision.day < today - RECENT:
                continue
            own = next((v for v in decision.member_votes if v.person_tk_id == member.tk_id), None)
            party_vote = None
            if own is None and party is not None:
                party_vote = next((v for v in decision.party_votes if v.party_tk_id == party.tk_id), None)
            vote = own or party_vote
            if vote is not None:
                voted.append((entry, decision, vote.choice, own is not None))
    voted.sort(key=lambda row: row[1].day or date.min, reverse=True)
    return Activities(spoke, submitted, voted[:SHOWN])


def member_section(member: Member) -> Markup | None:
    found = recent_activity(member, actions.clock().date())
    if not found:
        return None
    return Markup(render_template("agenda/_member_activity.html", member=member, found=found))


hooks.member_sections.append(member_section)
