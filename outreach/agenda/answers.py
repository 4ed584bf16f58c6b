"""Answers to written questions in the outcome ledger: answered (when, and the Kamer's page of the answer), the
answer postponed (the date of the minister's notice), or no answer yet."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from outreach.agenda.mirror import ANSWER, ANSWER_KINDS, POSTPONED
from outreach.agenda.models import AgendaLink, Case, Document
from outreach.extensions import db

QUESTIONS = "Schriftelijke vragen"
ANSWERED, LATE, OPEN = "answered", "postponed", "none"
KAMER_ANSWER = "https://www.tweedekamer.nl/kamerstukken/kamervragen/detail?id={case}&did={document}"


@dataclass
class Answer:
    state: str  # ANSWERED, LATE or OPEN
    day: date | None = None
    link: str | None = None


def _state(case: Case, documents: list[Document]) -> Answer:
    """The latest answer wins over any postponement; of several notices, the latest counts."""
    for kind, state in ((ANSWER, ANSWERED), (POSTPONED, LATE)):
        found = sorted((d for d in documents if d.kind == kind), key=lambda d: d.day or date.min)
        if found:
            latest = found[-1]
            link = None
            if state == ANSWERED and latest.number:
                link = KAMER_ANSWER.format(case=case.number or latest.number, document=latest.number)
            return Answer(state, latest.day, link)
    return Answer(OPEN)


def answers(cases: list[Case]) -> dict[str, Answer]:
    """The answer state of each written question among `cases` (other cases have none), in two queries at most."""
    questions = [c for c in cases if c.kind == QUESTIONS]
    if not questions:
        return {}
    documents: dict[str, list[Document]] = {}
    for case_id, document in db.session.execute(
        select(AgendaLink.target_tk_id, Document)
        .join(Document, Document.tk_id == AgendaLink.source_tk_id)
        .where(
            AgendaLink.relation == "zaak",
            AgendaLink.target_tk_id.in_([c.tk_id for c in questions]),
            Document.deleted.is_(False),
            Document.kind.in_(ANSWER_KINDS),
        )
    ):
        documents.setdefault(case_id, []).append(document)
    return {c.tk_id: _state(c, documents.get(c.tk_id, [])) for c in questions}
