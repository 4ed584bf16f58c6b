"""The outcome ledger: what the House did with the cases a campaign follows — who submitted them, each decision
with its date and text (a motion can be held over, "Aangehouden", and carried later, "Aangenomen."), how each party
voted, and each member in a hoofdelijke stemming, with votes recorded by mistake (vergissing) marked; for written
questions, whether and when they were answered (outreach/agenda/answers.py)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from outreach.agenda.answers import Answer, answers
from outreach.agenda.models import (
    CONFIRMED,
    Activity,
    AgendaItem,
    AgendaLink,
    Case,
    CaseActor,
    Decision,
    LedgerSetting,
    Vote,
    WatchMatch,
)
from outreach.agenda.queries import kamer_link
from outreach.downloads import to_csv
from outreach.extensions import db

SUBMITTERS = ("Indiener", "Medeindiener")
CHOICE_ORDER = ("Voor", "Tegen", "Niet deelgenomen")


@dataclass
class LedgerDecision:
    decision: Decision
    day: date | None
    party_votes: list[Vote] = field(default_factory=list)
    member_votes: list[Vote] = field(default_factory=list)  # a hoofdelijke stemming

    @property
    def by_roll_call(self) -> bool:
        return bool(self.member_votes)

    def groups(self) -> list[tuple[str, list[Vote]]]:
        """The votes by choice: for, against, not taking part, then anything else the Kamer records."""
        votes = self.member_votes or self.party_votes
        choices = sorted(
            {v.choice or "" for v in votes}, key=lambda c: (CHOICE_ORDER.index(c) if c in CHOICE_ORDER else 9, c)
        )
        return [(c, [v for v in votes if (v.choice or "") == c]) for c in choices]

    def tally(self) -> dict[str, int]:
        """Seats (or members) for, against and not taking part; mistaken votes count as recorded."""
        counts: dict[str, int] = {}
        for vote in self.member_votes or self.party_votes:
            weight = 1 if self.member_votes else (vote.party_size or 0)
            counts[vote.choice or ""] = counts.get(vote.choice or "", 0) + weight
        return counts


@dataclass
class LedgerCase:
    case: Case
    submitters: list[CaseActor]
    decisions: list[LedgerDecision]
    link: str | None
    answer: Answer | None = None  # written questions only

    @property
    def latest(self) -> LedgerDecision | None:
        return self.decisions[-1] if self.decisions else None


def followed_cases(*campaign_ids: int) -> list[Case]:
    ids = select(WatchMatch.tk_id).where(
        WatchMatch.campaign_id.in_(campaign_ids), WatchMatch.category == "case", WatchMatch.state == CONFIRMED
    )
    return list(db.session.scalars(select(Case).where(Case.tk_id.in_(ids), Case.deleted.is_(False))))


def build(*campaign_ids: int) -> list[LedgerCase]:
    """The campaigns' confirmed cases (each once) with their submitters, decisions (oldest first) and votes."""
    cases = followed_cases(*campaign_ids)
    case_ids = [c.tk_id for c in cases]
    actors: dict[str, list[CaseActor]] = {}
    for actor in db.session.scalars(
        select(CaseActor)
        .where(CaseActor.case_tk_id.in_(case_ids), CaseActor.deleted.is_(False), CaseActor.relation.in_(SUBMITTERS))
        .order_by(CaseActor.relation, CaseActor.name)  # the submitter before co-submitters
    ):
        actors.setdefault(actor.case_tk_id or "", []).append(actor)
    links = db.session.execute(
        select(AgendaLink.target_tk_id, Decision, Activity.day)
        .join(Decision, Decision.tk_id == AgendaLink.source_tk_id)
        .outerjoin(AgendaItem, AgendaItem.tk_id == Decision.agenda_item_tk_id)
        .outerjoin(Activity, Activity.tk_id == AgendaItem.activity_tk_id)
        .where(AgendaLink.relation == "zaak", AgendaLink.target_tk_id.in_(case_ids), Decision.deleted.is_(False))
    ).all()
    decisions: dict[str, LedgerDecision] = {}
    by_case: dict[str, list[LedgerDecision]] = {}
    for case_id, decision, day in links:
        entry = decisions.setdefault(decision.tk_id, LedgerDecision(decision, day))
        by_case.setdefault(case_id, []).append(entry)
    for vote in db.session.scalars(
        select(Vote)
        .where(Vote.decision_tk_id.in_(list(decisions)), Vote.deleted.is_(False))
        .order_by(Vote.party, Vote.name)
    ):
        entry = decisions[vote.decision_tk_id or ""]
        (entry.member_votes if vote.person_tk_id else entry.party_votes).append(vote)
    answered = answers(cases)
    ledger = [
        LedgerCase(
            case,
            actors.get(case.tk_id, []),
            sorted(by_case.get(case.tk_id, []), key=lambda d: (d.day or date.max, d.decision.updated or datetime.max)),
            kamer_link("case", case.number),
            answered.get(case.tk_id),
        )
        for case in cases
    ]
    return sorted(ledger, key=lambda c: c.latest.day if c.latest and c.latest.day else date.min, reverse=True)


def is_published(campaign_id: int) -> bool:
    setting = db.session.get(LedgerSetting, campaign_id)
    return bool(setting and setting.published)


CSV_HEADER = (
    "case_number",
    "case_kind",
    "subject",
    "submitters",
    "decision_date",
    "decision",
    "vote_kind",
    "voter",
    "party",
    "vote",
    "seats",
    "mistaken",
    "answer",
    "answer_date",
    "answer_link",
)


def ledger_csv(ledger: list[LedgerCase]) -> str:
    """One row per vote (a decision without votes gets one row, a case without decisions too)."""
    rows = []
    for entry in ledger:
        case = entry.case
        head = [case.number, case.kind, case.subject, "; ".join(f"{a.name} ({a.party})" for a in entry.submitters)]
        a = entry.answer
        tail = [a.state, a.day.isoformat() if a.day else "", a.link or ""] if a else ["", "", ""]
        if not entry.decisions:
            rows.append([*head, "", "", "", "", "", "", "", "", *tail])
        for d in entry.decisions:
            decided = [d.day.isoformat() if d.day else "", d.decision.text, d.decision.vote_kind]
            votes = d.member_votes or d.party_votes
            if not votes:
                rows.append([*head, *decided, "", "", "", "", "", *tail])
            for v in votes:
                seats = 1 if d.member_votes else v.party_size
                voter = v.name if d.member_votes else v.party
                rows.append([*head, *decided, voter, v.party, v.choice, seats, "yes" if v.mistaken else "", *tail])
    return to_csv(CSV_HEADER, rows)
