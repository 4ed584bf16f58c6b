"""Retention: what is kept how long, and the scrubbing that both the retention rules and an erasure use.

- unconfirmed submissions: deleted when their link expires (7 days; the campaigns room's `expire`);
- letter texts (the supporter's text and subject, each letter, the e-mails in the outbox and the mail servers'
  answers, the fingerprints of the text): replaced by "[removed: N characters]" LETTER_TEXT_DAYS after the follow-up
  survey closes (SURVEY_COUNTS_DAYS after sending), together with the supporter's name and address on those e-mails;
- reply texts and pasted survey answers: with their letter's texts, never sooner than LETTER_TEXT_DAYS after they
  came in (a reply linked to no letter: LETTER_TEXT_DAYS after it came in);
- supporters without newsletter consent: pseudonymised IDENTITY_DAYS after they were last active;
- what the statistics need (which member, when sent, answered or not, the stance) stays, without identity.

The privacy room is the one place allowed to reach into every room's tables: erasing a person has to.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, String, and_, case, cast, delete, exists, func, literal, or_, select, update

from outreach.campaigns import lifecycle
from outreach.campaigns.confirmation import expire
from outreach.campaigns.models import (
    Letter,
    LetterDraft,
    Submission,
    SubmissionFingerprint,
    Supporter,
)
from outreach.directory.models import UndeliverableAddress
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import LETTER, DeliveryAttempt, OutboxMessage
from outreach.privacy.models import PrivacyRequest
from outreach.replies.models import Reply, Survey, SurveyAnswer

REMOVED = "[removed]"
PSEUDONYM_DOMAIN = "removed.invalid"  # RFC 2606: never a real address
ERASED = "erased"  # why a letter held for review was withdrawn, or a message being sent is to be scrubbed
BATCH = 500


def removed(column: ColumnElement[str]) -> ColumnElement[str]:
    """'[removed: N characters]' for a text column, in SQL (the same on SQLite and PostgreSQL)."""
    return literal("[removed: ") + cast(func.length(column), String) + literal(" characters]")


def _not_removed(column: ColumnElement[str]) -> ColumnElement[bool]:
    return and_(column.is_not(None), ~column.startswith("[removed"))


def _update(model: type, condition: ColumnElement[bool], **values: object) -> int:
    statement = update(model).where(condition).values(**values).execution_options(synchronize_session=False)
    return db.session.execute(statement).rowcount


def text_window() -> timedelta:
    config = current_app.config
    return timedelta(days=config["SURVEY_COUNTS_DAYS"] + config["LETTER_TEXT_DAYS"])


def messages_to(addresses: Iterable[str]) -> ColumnElement[bool]:
    """Outbox messages about these supporters: their letters, and the e-mails to them (confirmations, notices,
    surveys). A letter *to* an address is a letter to a member, whoever else that address belongs to."""
    addresses = list(addresses)
    return or_(
        OutboxMessage.supporter_email.in_(addresses),
        (OutboxMessage.kind != LETTER) & OutboxMessage.recipient.in_(addresses),
    )


# The scrubbing steps, each for the rows a condition selects -------------------------------------------------------


def scrub_outbox(condition: ColumnElement[bool]) -> int:
    """E-mails in the outbox: text, subject, names and addresses of supporters gone; letters to members keep the
    member's address (the daily cap counts by it). Waiting, held and failed ones are cancelled first, so nothing
    half-removed is ever sent or retried. One being handed to the mail server right now finishes that attempt and
    is marked, to be scrubbed (and not retried) once it has."""
    states.move_all(condition, states.CANCELLED, lease_until=None)
    _update(OutboxMessage, condition & (OutboxMessage.status == states.SENDING), hold_reason=ERASED)
    done = condition & (OutboxMessage.status != states.SENDING)
    _update(DeliveryAttempt, DeliveryAttempt.message_id.in_(select(OutboxMessage.id).where(done)), text=None)
    to_supporter = OutboxMessage.kind != LETTER
    return _update(
        OutboxMessage,
        done & _not_removed(OutboxMessage.body),
        body=removed(OutboxMessage.body),
        subject=removed(OutboxMessage.subject),
        sender=case((to_supporter, OutboxMessage.sender), else_=literal(REMOVED)),
        recipient=case((to_supporter, literal(REMOVED)), else_=OutboxMessage.recipient),
        recipient_name=case((to_supporter, None), else_=OutboxMessage.recipient_name),
        reply_to=None,
        supporter_email=None,
        supporter_name=None,
        last_text=None,
    )


def scrub_letters(condition: ColumnElement[bool]) -> int:
    return _update(
        Letter, condition & _not_removed(Letter.body), body=removed(Letter.body), subject=removed(Letter.subject)
    )


def scrub_submissions(condition: ColumnElement[bool]) -> int:
    """The supporter's own text and subject, and the fingerprints of it (they could confirm a guessed sentence)."""
    db.session.execute(
        delete(SubmissionFingerprint)
        .where(SubmissionFingerprint.submission_id.in_(select(Submission.id).where(condition)))
        .execution_options(synchronize_session=False)
    )
    return _update(
        Submission,
        condition & _not_removed(Submission.body),
        body=removed(Submission.body),
        subject=removed(Submission.subject),
    )


def scrub_replies(condition: ColumnElement[bool]) -> int:
    """Reply texts, subjects and kept messages, and the sender of those a supporter wrote (a member's name stays:
    it is their public role)."""
    from_supporter = Reply.from_address.in_(select(Supporter.email))
    _update(Reply, condition & from_supporter, from_address=None, from_name=None)
    return _update(
        Reply,
        condition & _not_removed(Reply.text),
        text=removed(Reply.text),
        subject=removed(Reply.subject),
        raw=None,
    )


# Retention ----------------------------------------------------------------------------------------------------------


def purge(now: datetime) -> dict[str, int]:
    """Apply every retention rule as of `now` (the caller commits). Idempotent: running it twice changes nothing
    more. Returns what it did, by rule."""
    config = current_app.config
    done: dict[str, int] = {}
    done["unconfirmed submissions deleted"] = expire(now)
    text_before = now - text_window()

    finished = OutboxMessage.status.in_([states.SENT, states.FAILED, states.CANCELLED])
    ended_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.last_attempt_at, OutboxMessage.created_at)
    erased_since = OutboxMessage.hold_reason == ERASED  # was being sent when its supporter erased their data
    done["e-mails scrubbed"] = scrub_outbox((finished & (ended_at < text_before)) | erased_since)

    # A letter's text goes once its e-mail is out of the outbox's hands (or it never had one: rejected, own mail
    # program) and the window has passed; letters held for an organiser or still on their way keep theirs.
    on_its_way = [*states.WAITING, states.SENDING, states.HELD, states.DIGEST_WAIT, states.IN_DIGEST]
    in_outbox = Letter.outbox_message.has(OutboxMessage.status.in_(on_its_way))
    sent_at = lifecycle.sent_at()
    letter_done = and_(
        Letter.status.not_in(lifecycle.UNFINISHED), ~in_outbox, func.coalesce(sent_at, Letter.created_at) < text_before
    )
    done["letters scrubbed"] = scrub_letters(Letter.id.in_(select(Letter.id).where(letter_done)))
    still_open = exists().where(Letter.submission_id == Submission.id, ~letter_done)
    done["supporters' texts scrubbed"] = scrub_submissions((Submission.created_at < text_before) & ~still_open)

    recent_before = now - timedelta(days=config["LETTER_TEXT_DAYS"])
    letter_gone = select(Letter.id).where(func.coalesce(sent_at, Letter.created_at) < text_before)
    reply_due = (Reply.received_at < recent_before) & (Reply.letter_id.in_(letter_gone) | Reply.letter_id.is_(None))
    done["reply texts scrubbed"] = scrub_replies(reply_due)
    done["pasted answers scrubbed"] = _update(
        SurveyAnswer,
        SurveyAnswer.text.is_not(None)
        & (SurveyAnswer.answered_at < recent_before)
        & SurveyAnswer.letter_id.in_(letter_gone),
        text=None,
    )

    inactive_before = now - timedelta(days=config["IDENTITY_DAYS"])
    stale = select(Supporter).where(
        Supporter.newsletter.is_(False),
        Supporter.last_active_at < inactive_before,
        ~Supporter.email.endswith("@" + PSEUDONYM_DOMAIN),
    )
    done["supporters pseudonymised"] = 0
    while batch := db.session.scalars(stale.limit(BATCH)).all():
        pseudonymise(batch)
        done["supporters pseudonymised"] += len(batch)

    link_before = now - timedelta(seconds=config["PRIVACY_LINK_SECONDS"])
    done["privacy links expired"] = _update(
        PrivacyRequest, PrivacyRequest.email.is_not(None) & (PrivacyRequest.requested_at < link_before), email=None
    )
    return done


def pseudonymise(supporters: list[Supporter], prefix: str = "pseudonym") -> None:
    """Remove who these supporters are from everything about them, keeping the facts the statistics count. Letters
    still held for an organiser are withdrawn (nobody can send them any more in a name that is gone)."""
    ids = [supporter.id for supporter in supporters]
    theirs = Letter.supporter_id.in_(ids)
    lifecycle.withdraw(theirs, ERASED)
    forget_addresses([supporter.email for supporter in supporters], ids)
    _update(SurveyAnswer, SurveyAnswer.letter_id.in_(select(Letter.id).where(theirs)), text=None)
    _update(Submission, Submission.supporter_id.in_(ids), name=REMOVED, place=None)
    # No survey or reminder goes to someone who is no longer there.
    submissions = select(Submission.id).where(Submission.supporter_id.in_(ids))
    _update(Survey, Survey.submission_id.in_(submissions) & Survey.reminded_at.is_(None), reminded_at=func.now())
    asked = select(Survey.submission_id)
    for submission_id in db.session.scalars(submissions.where(Submission.id.not_in(asked))):
        db.session.add(Survey(submission_id=submission_id, sent_at=func.now()))
    for supporter in supporters:
        supporter.email = f"{prefix}-{supporter.id}@{PSEUDONYM_DOMAIN}"
        supporter.newsletter = False
    db.session.flush()


def forget_addresses(addresses: list[str], supporter_ids: list[int]) -> None:
    """What is kept under these addresses (of these supporters, if they wrote letters): the e-mails to them and
    about their letters, replies to those and what they wrote to the campaign themselves (not a member's answer on
    someone else's letter), their place on the undeliverable list and any letter they were still writing.

    Everything is found first and cleared after: clearing removes the very addresses the rows are found by."""
    addresses = [address.strip().lower() for address in addresses]
    theirs = Letter.supporter_id.in_(supporter_ids)
    messages = messages_to(addresses)
    their_messages = select(OutboxMessage.id).where(messages)
    own_replies = func.lower(Reply.from_address).in_(addresses) & (
        Reply.letter_id.is_(None) | Reply.letter_id.not_in(select(Letter.id).where(~theirs))
    )
    replies = list(
        db.session.scalars(
            select(Reply.id).where(
                Reply.letter_id.in_(select(Letter.id).where(theirs))
                | Reply.outbox_message_id.in_(their_messages)
                | own_replies
            )
        )
    )
    scrub_outbox(messages)
    scrub_replies(Reply.id.in_(replies))
    _update(Reply, func.lower(Reply.from_address).in_(addresses), from_address=None, from_name=None, note=None)
    for model, column in ((UndeliverableAddress, UndeliverableAddress.email), (LetterDraft, LetterDraft.email)):
        db.session.execute(
            delete(model).where(func.lower(column).in_(addresses)).execution_options(synchronize_session=False)
        )
