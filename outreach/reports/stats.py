"""Responsiveness, computed the same way for an MP, a party and a committee.

Per letter sent (`outreach.campaigns.lifecycle.is_sent`: the outbox has it sent and no bounce came back, or the
supporter opened it in their own mail program):
- answered: a real answer came back within four weeks of sending (by e-mail, logged by hand, or pasted in the
  survey), or the supporter answered the survey "replied" or "replied without answering" within those four weeks;
- not expected: the supporter said they did not expect a reply (and none came): left out of the rate;
- pending: sent less than four weeks ago and not answered yet: left out of the rate until its window closes;
- unanswered: everything else (no reply, only an acknowledgement or an automatic reply).

The reply rate is answered / (answered + unanswered), with a 95 % Wilson score interval, shown from
REPORT_MIN_LETTERS such letters on. Time to answer is from sending to the first real answer that came with a
date (e-mail or logged by hand). Committees count the letters to their full members (not substitutes).
"""

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, String, cast, func, select

from outreach.campaigns.lifecycle import is_sent
from outreach.campaigns.models import BOUNCED, Letter
from outreach.directory.models import Committee, CommitteeSeat, Member, Party
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import OutboxMessage
from outreach.replies.models import ANSWER, FROM_SURVEY, NOT_EXPECTED, REPLIED, REPLIED_NO_ANSWER, Reply, SurveyAnswer

ANSWERED, UNANSWERED, PENDING, NOT_COUNTED, NOT_SENT, BOUNCE = (
    "answered",
    "unanswered",
    "pending",
    "not_expected",
    "not_sent",
    "bounced",
)
Z95 = 1.959964


@dataclass(slots=True)
class LetterFacts:
    id: int
    member_id: int | None
    status: str
    delivery: str | None  # the outbox status
    sent_at: datetime | None
    outcome: str = NOT_SENT
    days_to_answer: float | None = None
    first_answer_at: datetime | None = None
    stances: list[str | None] = field(default_factory=list)
    survey: str | None = None
    recipient: str = ""  # who it went to by name: a member, or a committee or other office without one


@dataclass
class Responsiveness:
    """The numbers for one MP, party or committee."""

    sent: int = 0
    answered: int = 0
    counted: int = 0  # answered + unanswered
    pending: int = 0
    days: list[float] = field(default_factory=list)
    stances: Counter = field(default_factory=Counter)

    def add(self, facts: LetterFacts, times: int = 1) -> None:
        """Count a letter (or `times` letters with the same facts, none of them answered)."""
        if facts.outcome in (NOT_SENT, BOUNCE):
            return
        self.sent += times
        self.answered += times * (facts.outcome == ANSWERED)
        self.counted += times * (facts.outcome in (ANSWERED, UNANSWERED))
        self.pending += times * (facts.outcome == PENDING)
        if facts.days_to_answer is not None:
            self.days.append(facts.days_to_answer)
        if facts.stances:  # once per answered letter: the first tagged answer's stance (a letter may get two)
            self.stances[next((stance for stance in facts.stances if stance), "untagged")] += 1

    @property
    def enough(self) -> bool:
        return self.counted >= current_app.config["REPORT_MIN_LETTERS"]

    @property
    def rate(self) -> float | None:
        return self.answered / self.counted if self.counted else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.answered, self.counted) if self.counted else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion: sensible near 0 and 1 and for small numbers, unlike ±1.96·SE."""
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def letter_facts(
    campaign_id: int, now: datetime, member_id: int | None = None, only: ColumnElement[bool] | None = None
) -> list[LetterFacts]:
    """Every letter of a campaign (to one member, or those meeting `only`, when given) with its outcome, in three
    queries."""
    window = timedelta(days=current_app.config["SURVEY_COUNTS_DAYS"])
    # Plain rows straight from the connection: at 100,000 letters the ORM's row handling would double the time.
    connection = db.session.connection()
    which = Letter.campaign_id == campaign_id
    if member_id is not None:
        which &= Letter.member_id == member_id
    if only is not None:
        which &= only
    rows = connection.execute(
        select(
            Letter.id,
            Letter.member_id,
            Letter.status,
            OutboxMessage.status,
            func.coalesce(OutboxMessage.sent_at, Letter.opened_at),  # a letter sent from a mail program: opened
            Letter.recipient_name,
        )
        .outerjoin(Letter.outbox_message)
        .where(which)
        .order_by(Letter.id)
    )
    facts = {row[0]: LetterFacts(*row[:5], recipient=row[5]) for row in rows}
    answers: dict[int, list[tuple[datetime, str, str | None]]] = defaultdict(list)
    for letter_id, received_at, source, stance in connection.execute(
        select(Reply.letter_id, Reply.received_at, Reply.source, Reply.stance).where(
            Reply.campaign_id == campaign_id,
            Reply.kind == ANSWER,
            Reply.letter_id.is_not(None),
            *([Reply.member_id == member_id] if member_id is not None else []),
        )
    ):
        answers[letter_id].append((received_at, source, stance))
    surveys = dict(
        connection.execute(
            select(SurveyAnswer.letter_id, SurveyAnswer.answer)
            .join(Letter, Letter.id == SurveyAnswer.letter_id)
            .where(which, SurveyAnswer.counts.is_(True))
        ).all()
    )
    for letter in facts.values():
        letter.survey = surveys.get(letter.id)
        outcome(letter, sorted(answers.get(letter.id, []), key=lambda answer: answer[0]), now, window)
    return list(facts.values())


def outcome(letter: LetterFacts, answers: list[tuple[datetime, str, str | None]], now: datetime, window) -> None:
    """Decide what became of a sent letter (`letter.outcome`) from its answers, oldest first, and its survey."""
    letter.stances = [stance for _at, _source, stance in answers]
    if letter.status == BOUNCED and letter.delivery == states.SENT:
        letter.outcome = BOUNCE
        return
    if not is_sent(letter.status, letter.delivery) or letter.sent_at is None:
        letter.outcome = NOT_SENT
        return
    dated = [at for at, source, _stance in answers if source != FROM_SURVEY]
    if dated:
        letter.first_answer_at = dated[0]
        letter.days_to_answer = max(0.0, (dated[0] - letter.sent_at).total_seconds() / 86400)
    in_time = any(at <= letter.sent_at + window for at, _source, _stance in answers)
    if in_time or letter.survey in (REPLIED, REPLIED_NO_ANSWER):
        letter.outcome = ANSWERED
    elif letter.survey == NOT_EXPECTED:
        letter.outcome = NOT_COUNTED
    elif now < letter.sent_at + window:
        letter.outcome = PENDING
    else:
        letter.outcome = UNANSWERED


def by_member(facts: Iterable[LetterFacts]) -> dict[int | None, Responsiveness]:
    """Responsiveness per member (None: letters to extra targets), each letter counted once."""
    result: dict[int | None, Responsiveness] = defaultdict(Responsiveness)
    for letter in facts:
        result[letter.member_id].add(letter)
    return result


def combined(parts: Iterable[Responsiveness]) -> Responsiveness:
    """The numbers of several members together (a party, a committee, the campaign)."""
    total = Responsiveness()
    for part in parts:
        total.sent += part.sent
        total.answered += part.answered
        total.counted += part.counted
        total.pending += part.pending
        total.days += part.days
        total.stances.update(part.stances)
    return total


def by_key(members: dict[int | None, Responsiveness], keys: dict[int, list]) -> dict:
    """Responsiveness per key (a party, a committee) from the members' own numbers."""
    groups: dict = defaultdict(list)
    for member_id, numbers in members.items():
        for key in keys.get(member_id, []) if member_id is not None else []:
            groups[key].append(numbers)
    return {key: combined(parts) for key, parts in groups.items()}


def members_of(member_ids: set[int]) -> dict[int, Member]:
    return {member.id: member for member in db.session.scalars(select(Member).where(Member.id.in_(member_ids)))}


def parties_of(member_ids: set[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Member.id, Party.abbreviation)
        .outerjoin(Party, Party.id == Member.party_id)
        .where(Member.id.in_(member_ids))
    )
    return {member_id: [abbreviation or "–"] for member_id, abbreviation in rows}


def committees_of(member_ids: set[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    for member_id, abbreviation in db.session.execute(
        select(CommitteeSeat.member_id, Committee.abbreviation)
        .join(Committee, Committee.id == CommitteeSeat.committee_id)
        .where(CommitteeSeat.member_id.in_(member_ids), CommitteeSeat.substitute.is_(False))
    ):
        result[member_id].append(abbreviation)
    return result


@dataclass
class Report:
    facts: list[LetterFacts]
    overall: Responsiveness
    members: dict[int, Responsiveness]
    parties: dict[str, Responsiveness]
    committees: dict[str, Responsiveness]
    member_rows: dict[int, Member]

    def named_members(self) -> list[tuple[Member, Responsiveness]]:
        """Each member written to, with their numbers, in the directory's order."""
        rows = [(self.member_rows[member_id], numbers) for member_id, numbers in self.members.items()]
        return sorted(rows, key=lambda row: row[0].sort_name)

    def reached_members(self) -> list[tuple[Member, Responsiveness]]:
        """The members at least one letter was sent to (not those whose letters are still waiting or failed)."""
        return [(member, numbers) for member, numbers in self.named_members() if numbers.sent]


def report(campaign_id: int, now: datetime, member_id: int | None = None) -> Report:
    """Everything the reports page shows (for one member's letters, when given), in a fixed number of queries
    however many letters there are."""
    facts = letter_facts(campaign_id, now, member_id)
    per_member = by_member(facts)
    member_ids = {member_id for member_id in per_member if member_id is not None}
    return Report(
        facts,
        combined(per_member.values()),
        {member_id: numbers for member_id, numbers in per_member.items() if member_id is not None},
        by_key(per_member, parties_of(member_ids)),
        by_key(per_member, committees_of(member_ids)),
        members_of(member_ids),
    )


def per_period(facts: Iterable[LetterFacts], days: int = 1) -> list[tuple[date, int]]:
    """Letters sent per day (or per week, `days=7`, weeks starting on Monday) in the configured time zone, every
    period from the first to the last (those without letters as 0)."""
    zone, utc = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]), ZoneInfo("UTC")
    counts: Counter = Counter()
    for letter in facts:
        if letter.sent_at and is_sent(letter.status, letter.delivery):
            day = letter.sent_at.replace(tzinfo=utc).astimezone(zone).date()
            counts[day - timedelta(days=day.weekday() if days == 7 else 0)] += 1
    return periods(counts, days)


def periods(counts: Counter, days: int = 1) -> list[tuple[date, int]]:
    """Letters per period from per-period counts: every period from the first to the last, those without as 0."""
    if not counts:
        return []
    first, last = min(counts), max(counts)
    steps = (first + timedelta(days=n) for n in range(0, (last - first).days + 1, days))
    return [(start, counts.get(start, 0)) for start in steps]


def moment_text(column, width: int = 16):
    """A moment cut to the minute ("2026-02-26 14:05"; with `width` 13 to the hour, "2026-02-26 14") as text: grouped
    on in the database, then placed on its day in the configured time zone in Python, for any time zone."""
    return func.substr(cast(column, String), 1, width)


def per_state(facts: Iterable[LetterFacts]) -> Counter:
    """Letters per state as a supporter would describe them: waiting, sent, failed, bounced, answered..."""
    return Counter(map(state, facts))


def state(letter: LetterFacts) -> str:
    """One letter's state for `per_state`."""
    if letter.outcome != NOT_SENT:
        return letter.outcome
    if letter.delivery is None:
        return letter.status
    return letter.delivery if letter.delivery in (states.FAILED, states.CANCELLED) else "waiting"
