"""Retention: what is kept how long, and the scrubbing that both the retention rules and an erasure use.

- unconfirmed submissions: deleted when their link expires (7 days; the campaigns room does it, run from here too);
- letter texts (the supporter's letter, each letter, the e-mails in the outbox, delivery attempts' server answers):
  replaced by "[removed: N characters]" LETTER_TEXT_DAYS after the follow-up survey closes (SURVEY_COUNTS_DAYS
  after sending), together with the supporter's name and address on those e-mails;
- reply texts and pasted survey answers: with their letter's texts, but never sooner than LETTER_TEXT_DAYS after
  they came in;
- supporters without newsletter consent: pseudonymised IDENTITY_DAYS after they were last active;
- what the statistics need (which member, when sent, answered or not, the stance) stays, without identity.

The privacy room is the one place allowed to reach into every room's tables: erasing a person has to.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, String, and_, case, cast, delete, exists, func, literal, or_, select, update

from outreach.campaigns.confirmation import remind_and_expire
from outreach.campaigns.models import AWAITING, HELD, Letter, Submission, SubmissionFingerprint, Supporter
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import DeliveryAttempt, OutboxMessage
from outreach.privacy.models import PrivacyRequest
from outreach.replies.models import Reply, SurveyAnswer

REMOVED_PREFIX = "[removed"
PSEUDONYM_DOMAIN = "removed.invalid"  # RFC 2606: never a real address


def removed(column: ColumnElement[str]) -> ColumnElement[str]:
    """'[removed: N characters]' for a text column, in SQL (the same on SQLite and PostgreSQL)."""
    return literal("[removed: ") + cast(func.length(column), String) + literal(" characters]")


def _not_removed(column: ColumnElement[str]) -> ColumnElement[bool]:
    return and_(column.is_not(None), ~column.startswith(REMOVED_PREFIX))


def _update(model: type, condition: ColumnElement[bool], **values: object) -> int:
    statement = update(model).where(condition).values(**values).execution_options(synchronize_session=False)
    return db.session.execute(statement).rowcount


def text_window() -> timedelta:
    config = current_app.config
    return timedelta(days=config["SURVEY_COUNTS_DAYS"] + config["LETTER_TEXT_DAYS"])


# The scrubbing steps, each for the rows a condition selects -------------------------------------------------------


def scrub_outbox(condition: ColumnElement[bool]) -> int:
    """E-mails in the outbox: text, names and addresses of supporters gone; letters to members keep the member's
    address (the daily cap and statistics count by it). Waiting ones are cancelled first: nothing half-removed is
    ever sent."""
    states.move_all(condition, states.CANCELLED, lease_until=None)
    ids = select(OutboxMessage.id).where(condition)
    _update(DeliveryAttempt, DeliveryAttempt.message_id.in_(ids), text=None)
    to_supporter = OutboxMessage.kind != "letter"
    return _update(
        OutboxMessage,
        condition & _not_removed(OutboxMessage.body),
        body=removed(OutboxMessage.body),
        sender=case((to_supporter, OutboxMessage.sender), else_=literal(REMOVED_PREFIX + "]")),
        recipient=case((to_supporter, literal(REMOVED_PREFIX + "]")), else_=OutboxMessage.recipient),
        recipient_name=case((to_supporter, None), else_=OutboxMessage.recipient_name),
        reply_to=None,
        supporter_email=None,
        supporter_name=None,
        last_text=None,
    )


def scrub_letters(letter_ids: ColumnElement[bool]) -> int:
    return _update(Letter, letter_ids & _not_removed(Letter.body), body=removed(Letter.body))


def scrub_submissions(condition: ColumnElement[bool]) -> int:
    """The supporter's own text, and the fingerprints of it (they could confirm a guessed sentence)."""
    db.session.execute(
        delete(SubmissionFingerprint)
        .where(SubmissionFingerprint.submission_id.in_(select(Submission.id).where(condition)))
        .execution_options(synchronize_session=False)
    )
    return _update(Submission, condition & _not_removed(Submission.body), body=removed(Submission.body))


def scrub_replies(condition: ColumnElement[bool]) -> int:
    """Reply texts, and the sender of those a supporter wrote (a member's name stays: it is their public role)."""
    from_supporter = func.lower(Reply.from_address).in_(select(Supporter.email))
    _update(Reply, condition & from_supporter, from_address=None, from_name=None)
    return _update(Reply, condition & _not_removed(Reply.text), text=removed(Reply.text), raw=None)


# Retention ----------------------------------------------------------------------------------------------------------


def purge(now: datetime) -> dict[str, int]:
    """Apply every retention rule as of `now` (the caller commits). Idempotent: running it twice changes nothing
    more. Returns what it did, by rule."""
    config = current_app.config
    done: dict[str, int] = {}
    done["unconfirmed submissions deleted"] = remind_and_expire(now)[1]
    text_before = now - text_window()

    finished = OutboxMessage.status.in_([states.SENT, states.FAILED, states.CANCELLED])
    ended_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.last_attempt_at, OutboxMessage.created_at)
    done["e-mails scrubbed"] = scrub_outbox(finished & (ended_at < text_before))

    # A letter's text goes once its e-mail is gone (or it never had one: rejected, own mail program) and the
    # window has passed; letters still held for an organiser or waiting to go out keep theirs.
    waiting_mail = exists().where(
        OutboxMessage.id == Letter.outbox_message_id, OutboxMessage.status.in_([*states.WAITING, states.SENDING])
    )
    sent_at = select(OutboxMessage.sent_at).where(OutboxMessage.id == Letter.outbox_message_id).scalar_subquery()
    letter_done = and_(
        Letter.status.not_in([AWAITING, HELD]),
        ~waiting_mail,
        func.coalesce(sent_at, Letter.created_at) < text_before,
    )
    old_letters = select(Letter.id).where(letter_done)
    done["letters scrubbed"] = scrub_letters(Letter.id.in_(old_letters))
    still_open = exists().where(Letter.submission_id == Submission.id, ~letter_done)
    done["supporters' texts scrubbed"] = scrub_submissions((Submission.created_at < text_before) & ~still_open)

    # Replies and pasted survey answers go with their letter's texts, and never sooner than LETTER_TEXT_DAYS after
    # they came in (a late answer is read first); one linked to no letter goes TEXT window after it came in.
    recent_before = now - timedelta(days=config["LETTER_TEXT_DAYS"])
    letter_gone = select(Letter.id).where(func.coalesce(sent_at, Letter.created_at) < text_before)
    reply_due = (Reply.received_at < recent_before) & (
        Reply.letter_id.in_(letter_gone) | (Reply.letter_id.is_(None) & (Reply.received_at < text_before))
    )
    done["reply texts scrubbed"] = scrub_replies(reply_due)
    done["pasted answers scrubbed"] = _update(
        SurveyAnswer,
        SurveyAnswer.text.is_not(None)
        & (SurveyAnswer.answered_at < recent_before)
        & SurveyAnswer.letter_id.in_(letter_gone),
        text=None,
    )

    inactive_before = now - timedelta(days=config["IDENTITY_DAYS"])
    stale = db.session.scalars(
        select(Supporter).where(
            Supporter.newsletter.is_(False),
            Supporter.last_active_at < inactive_before,
            ~Supporter.email.endswith("@" + PSEUDONYM_DOMAIN),
        )
    ).all()
    for supporter in stale:
        pseudonymise(supporter)
    done["supporters pseudonymised"] = len(stale)

    done["privacy links expired"] = _update(
        PrivacyRequest,
        PrivacyRequest.email.is_not(None) & (PrivacyRequest.requested_at < now - timedelta(hours=1)),
        email=None,
    )
    return done


def pseudonymise(supporter: Supporter) -> None:
    """Remove who a supporter is from everything about them, keeping the facts the statistics count."""
    address = supporter.email
    mine = or_(func.lower(OutboxMessage.supporter_email) == address, func.lower(OutboxMessage.recipient) == address)
    scrub_outbox(mine)
    _update(Reply, func.lower(Reply.from_address) == address, from_address=None, from_name=None)
    theirs = select(Letter.id).where(Letter.supporter_id == supporter.id)
    scrub_replies(Reply.letter_id.in_(theirs))
    _update(SurveyAnswer, SurveyAnswer.letter_id.in_(theirs), text=None)
    _update(Submission, Submission.supporter_id == supporter.id, name=REMOVED_PREFIX + "]", place=None)
    supporter.email = f"pseudonym-{supporter.id}@{PSEUDONYM_DOMAIN}"
    supporter.newsletter = False
