"""Said and voted: beside each member's answers and their stances, how they (in a roll-call vote) or their party
voted on the ledger's motions and amendments; per party, the same in sum. The ledger holds the cases the organiser
confirmed as the campaign's own, so a "for" is read as for the campaign's aim."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from outreach.agenda.ledger import LedgerCase, LedgerDecision, build
from outreach.agenda.models import Vote
from outreach.directory.models import Member

SUPPORTS, AGAINST = "supports", "against"
FOR, AGAINST_VOTE = "Voor", "Tegen"


@dataclass
class CastVote:
    case: LedgerCase
    decision: LedgerDecision
    vote: Vote
    own: bool  # the member's own vote in a roll call, not their party's


@dataclass
class Record:
    """What one member (or party) said in answers and how they voted."""

    name: str
    party: str | None
    stances: Counter = field(default_factory=Counter)
    votes: list[CastVote] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """Said they support and voted against, or said they were against and voted for."""
        said = {s for s, n in self.stances.items() if n}
        chose = {v.vote.choice for v in self.votes if not v.vote.mistaken}
        return (SUPPORTS in said and AGAINST_VOTE in chose) or (AGAINST in said and FOR in chose)


def _decided(ledger: list[LedgerCase]) -> list[tuple[LedgerCase, LedgerDecision]]:
    """Per case, its latest decision that was voted on."""
    found = []
    for case in ledger:
        voted = [d for d in case.decisions if d.party_votes or d.member_votes]
        if voted:
            found.append((case, voted[-1]))
    return found


def _party_vote(decision: LedgerDecision, party_tk_id: str | None, abbreviation: str | None) -> Vote | None:
    for vote in decision.party_votes:
        if (party_tk_id and vote.party_tk_id == party_tk_id) or (abbreviation and vote.party == abbreviation):
            return vote
    return None


def said_and_voted(campaign_id: int, members: Iterable[tuple[Member, Any]]) -> tuple[list[Record], list[Record]]:
    """Per member written to and per party: the stances of the answers and the votes on the ledger's cases."""
    decided = _decided(build(campaign_id))
    if not decided:
        return [], []
    people, parties = [], {}
    for member, numbers in members:
        party = member.party
        abbreviation = party.abbreviation if party else None
        record = Record(member.name, abbreviation, Counter(numbers.stances))
        for case, decision in decided:
            own = next((v for v in decision.member_votes if member.tk_id and v.person_tk_id == member.tk_id), None)
            vote = own or _party_vote(decision, party.tk_id if party else None, abbreviation)
            if vote is not None:
                record.votes.append(CastVote(case, decision, vote, own is not None))
        people.append(record)
        if party is not None:
            summary = parties.setdefault(abbreviation, Record(abbreviation or "", abbreviation))
            summary.stances.update(numbers.stances)
            if not summary.votes:
                summary.votes = [
                    CastVote(case, decision, vote, False)
                    for case, decision in decided
                    if (vote := _party_vote(decision, party.tk_id, abbreviation)) is not None
                ]
    return people, sorted(parties.values(), key=lambda r: r.name)
