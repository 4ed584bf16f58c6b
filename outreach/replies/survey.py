"""The follow-up survey, the WriteToThem way: 14 days after a submission's letters went out the supporter is asked,
per MP, whether they replied; one reminder at day 21; answers given more than four weeks after the letter went
out are kept but do not count for the statistics.

The links in the e-mail open a page with the answer already chosen and a button to save it: mail scanners open
every link in a message, and must not answer for the supporter."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from outreach.campaigns import lifecycle, tokens
from outreach.campaigns.mails import mail_supporter
from outreach.campaigns.models import Letter, Submission
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import SURVEY, OutboxMessage
from outreach.replies.ingest import by_hand
from outreach.replies.models import (
    ACK_ONLY,
    ACKNOWLEDGEMENT,
    ANSWER,
    FROM_SURVEY,
    NO_REPLY,
    NOT_EXPECTED,
    REPLIED,
    REPLIED_NO_ANSWER,
    Reply,
    Survey,
    SurveyAnswer,
)
from outreach.urls import public_url

SALT = "replies-survey"
ANSWER_LABELS = {
    REPLIED: lazy_gettext("Yes, they replied"),
    REPLIED_NO_ANSWER: lazy_gettext("They replied, but did not answer my letter"),
    ACK_ONLY: lazy_gettext("Only an acknowledgement of receipt"),
    NOT_EXPECTED: lazy_gettext("No, and I did not expect a reply"),
    NO_REPLY: lazy_gettext("No reply"),
}
# Letters still on their way put the survey off; a held one (its member left, or opted out) does not.
WAITING = (*states.WAITING, states.SENDING)


def token(letter_id: int, now: float | None = None) -> str:
    """The token of a letter's survey link, signed at `now` (seconds since the epoch; the present when not given)."""
    return tokens.sign(letter_id, SALT, now)


def read_token(value: str) -> tuple[str, int | None]:
    return tokens.load(value, SALT, current_app.config["SURVEY_LINK_VALID_DAYS"] * 86400)


def open_letters(submission_id: int) -> list[tuple[Letter, datetime]]:
    """A submission's letters to ask about, with when they went out: sent, not bounced, and neither answered by
    mail (the campaign knows that answer already) nor answered in the survey."""
    answered = select(Reply.letter_id).where(Reply.kind == ANSWER, Reply.letter_id.is_not(None))
    rows = db.session.execute(
        select(Letter, OutboxMessage.sent_at)
        .join(Letter.outbox_message)
        .where(
            Letter.submission_id == submission_id,
            lifecycle.sent(),
            Letter.id.not_in(answered),
            Letter.id.not_in(select(SurveyAnswer.letter_id)),
        )
        .order_by(Letter.id)
    ).all()
    return [(letter, sent_at) for letter, sent_at in rows]


def due(now: datetime) -> list[int]:
    """Submissions to ask now: all their letters are out (none still waiting), the last one 14 to 21 days ago
    (older ones are not asked any more: a question weeks late helps nobody), and not asked before."""
    config = current_app.config
    after = timedelta(days=config["SURVEY_AFTER_DAYS"])
    late = after + timedelta(days=config["SURVEY_REMINDER_AFTER_DAYS"])
    waiting = func.sum(case((OutboxMessage.status.in_(WAITING), 1), else_=0))
    last_sent = func.max(OutboxMessage.sent_at)
    asked = select(Survey.submission_id)
    return list(
        db.session.scalars(
            select(Letter.submission_id)
            .join(Letter.outbox_message)
            .where(Letter.submission_id.not_in(asked))
            .group_by(Letter.submission_id)
            .having(and_(waiting == 0, last_sent <= now - after, last_sent > now - late))
            .order_by(Letter.submission_id)
        )
    )


def reminders_due(now: datetime) -> list[Survey]:
    """Surveys asked a week ago, not yet reminded, with at least one letter still unanswered."""
    since = now - timedelta(days=current_app.config["SURVEY_REMINDER_AFTER_DAYS"])
    answered = select(SurveyAnswer.letter_id)
    unanswered = (
        select(Letter.id).where(Letter.submission_id == Survey.submission_id, Letter.id.not_in(answered)).exists()
    )
    return list(
        db.session.scalars(
            select(Survey)
            .where(Survey.reminded_at.is_(None), Survey.sent_at <= since, unanswered)
            .limit(500)
            .with_for_update(skip_locked=True)  # two workers never remind the same supporter
        )
    )


def send(
    submission: Submission, letters: list[tuple[Letter, datetime]], now: datetime, reminder: bool = False
) -> OutboxMessage | None:
    """Queue the survey e-mail (or its reminder) about these letters; None when there is nothing to ask about."""
    if not letters:
        return None
    links = [(letter.recipient_name, public_url("replies.survey", token=token(letter.id))) for letter, _ in letters]
    return mail_supporter(
        submission,
        SURVEY,
        "survey",
        days=(now - max(sent_at for _letter, sent_at in letters)).days,
        reminder=reminder,
        letters=links,
        answers=list(ANSWER_LABELS.items()),
    )


def send_due(now: datetime) -> tuple[int, int]:
    """New surveys and reminders due now (the worker looks every minute). Returns (asked, reminded)."""
    asked = 0
    for submission_id in due(now):
        submission = db.session.get(Submission, submission_id)
        assert submission is not None
        message = send(submission, open_letters(submission_id), now)
        db.session.add(Survey(submission_id=submission_id, sent_at=now, outbox_message_id=message and message.id))
        db.session.flush()
        asked += 1 if message else 0
    reminded = 0
    for survey in reminders_due(now):
        submission = db.session.get(Submission, survey.submission_id)
        message = send(submission, open_letters(survey.submission_id), now, reminder=True) if submission else None
        survey.reminded_at, survey.reminder_message_id = now, message.id if message else None
        reminded += 1 if message else 0
    return asked, reminded


def answer_for(letter_id: int) -> SurveyAnswer | None:
    return db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.letter_id == letter_id))


def record(letter: Letter, answer: str, text: str | None, now: datetime) -> bool:
    """Save a supporter's answer about one letter (the caller commits). The first answer stands: False when there
    already was one. A pasted answer also goes to the organisers' replies, to be read and tagged."""
    sent_at = letter.outbox_message.sent_at if letter.outbox_message else None
    window = timedelta(days=current_app.config["SURVEY_COUNTS_DAYS"])
    counts = sent_at is not None and now <= sent_at + window
    try:
        with db.session.begin_nested():
            db.session.add(
                SurveyAnswer(letter_id=letter.id, answer=answer, text=text or None, answered_at=now, counts=counts)
            )
    except IntegrityError:
        return False
    if text and answer in (REPLIED, REPLIED_NO_ANSWER, ACK_ONLY):
        kind = ACKNOWLEDGEMENT if answer == ACK_ONLY else ANSWER
        db.session.add(by_hand(letter, kind, text, now, now, dedupe_key=f"survey:{letter.id}", source=FROM_SURVEY))
    return True
