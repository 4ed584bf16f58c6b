"""The campaign's report in numbers at campaign scale: the same numbers as `stats.report` (its definitions, its
outcome of each letter), without reading every letter.

Most letters have no answer and no survey answer: their outcome depends only on their state, their outbox
message's state and whether they were sent in the last four weeks, so the database counts them in groups. Only the
letters with an answer or a survey answer are read one by one (for time to answer, stances and the survey's word),
and letters per day are counted per hour of sending, each hour then placed on its day in the configured time zone.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.campaigns.lifecycle import sent
from outreach.campaigns.models import Letter
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.models import OutboxMessage
from outreach.outbox.pacing import local_now
from outreach.replies.models import ANSWER, Reply, SurveyAnswer
from outreach.reports import stats


@dataclass
class Summary(stats.Report):
    """A `stats.Report` without its letters: the numbers per state and per day come with it instead."""

    states: Counter = field(default_factory=Counter)
    days: list[tuple[date, int]] = field(default_factory=list)


def _answered_or_surveyed(campaign_id: int):
    """The campaign's letters that have an answer or a survey answer that counts."""
    answered = select(Reply.letter_id).where(
        Reply.campaign_id == campaign_id, Reply.kind == ANSWER, Reply.letter_id.is_not(None)
    )
    surveyed = select(SurveyAnswer.letter_id).where(SurveyAnswer.counts.is_(True))
    return Letter.id.in_(answered) | Letter.id.in_(surveyed)


def _grouped(campaign_id: int, now: datetime) -> list[tuple[stats.LetterFacts, int]]:
    """The letters without any answer, in groups that share an outcome: one stand-in letter and the group's size."""
    window = timedelta(days=current_app.config["SURVEY_COUNTS_DAYS"])
    cutoff = now - window
    sent_at = func.coalesce(OutboxMessage.sent_at, Letter.opened_at)
    recent = sent_at > cutoff  # still within its four weeks: pending, else unanswered (when sent)
    rows = db.session.execute(
        select(Letter.member_id, Letter.status, OutboxMessage.status, sent_at.is_(None), recent, func.count())
        .outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)
        .where(Letter.campaign_id == campaign_id, ~_answered_or_surveyed(campaign_id))
        .group_by(Letter.member_id, Letter.status, OutboxMessage.status, sent_at.is_(None), recent)
    )
    groups = []
    for member_id, status, delivery, unsent, is_recent, count in rows:
        stand_in = stats.LetterFacts(0, member_id, status, delivery, None if unsent else now if is_recent else cutoff)
        stats.outcome(stand_in, [], now, window)
        groups.append((stand_in, count))
    return groups


def _per_day(campaign_id: int) -> list[tuple[date, int]]:
    """Letters sent per day in the configured time zone, counted per hour (or minute) of sending in the database."""
    when = func.coalesce(OutboxMessage.sent_at, Letter.opened_at)
    for width in (13, 16):  # "2026-02-26 14", then "2026-02-26 14:05" for a zone whose offset is not whole hours
        bucket = stats.moment_text(when, width)
        rows = db.session.execute(
            select(bucket, func.count())
            .select_from(Letter)
            .outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)
            .where(sent(campaign_id), when.is_not(None))
            .group_by(bucket)
        ).all()
        local = [(local_now(datetime.fromisoformat(text + (":00" if width == 13 else ""))), n) for text, n in rows]
        if width == 16 or all(moment.minute == 0 for moment, _n in local):
            break
    counts: Counter = Counter()
    for moment, n in local:
        counts[moment.date()] += n
    return stats.periods(counts)


def summary(campaign_id: int, now: datetime) -> Summary:
    """Everything the report page, the per-member CSV and the handover show, in a fixed number of queries whose
    rows do not grow with the letters that got no answer."""
    per_member: dict = {}
    states: Counter = Counter()

    def count(letter: stats.LetterFacts, times: int) -> None:
        per_member.setdefault(letter.member_id, stats.Responsiveness()).add(letter, times)
        states[stats.state(letter)] += times

    for stand_in, times in _grouped(campaign_id, now):
        count(stand_in, times)
    for letter in stats.letter_facts(campaign_id, now, only=_answered_or_surveyed(campaign_id)):
        count(letter, 1)
    member_ids = {member_id for member_id in per_member if member_id is not None}
    member_rows = {
        member.id: member
        for member in db.session.scalars(
            select(Member).where(Member.id.in_(member_ids)).options(selectinload(Member.party))
        )
    }
    parties = {
        member_id: [member.party.abbreviation if member.party else "–"] for member_id, member in member_rows.items()
    }
    return Summary(
        [],
        stats.combined(per_member.values()),
        {member_id: numbers for member_id, numbers in per_member.items() if member_id is not None},
        stats.by_key(per_member, parties),
        stats.by_key(per_member, stats.committees_of(member_ids)),
        member_rows,
        states,
        _per_day(campaign_id),
    )
