"""A supporter's letter, from the filled-in form to rows: one transaction writes the supporter, the submission and
one letter per recipient (all awaiting confirmation), and queues the confirmation e-mail.

Sending twice is prevented twice over: the form's one-time nonce is unique per submission (a double click or a
replayed post finds the first one), and a letter is unique per campaign, supporter and recipient (a second
submission to the same MP leaves that MP out and says so in the e-mail, not on the page, so that nobody learns from
the page whom another address wrote to).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext
from limits import parse_many
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from outreach.campaigns import hooks, letters, tokens
from outreach.campaigns.mails import mail_supporter
from outreach.campaigns.models import (
    AWAITING,
    MAIL_PROGRAM,
    OWN_MAIL,
    REPEATED,
    SEND,
    Campaign,
    Letter,
    Submission,
    SubmissionFingerprint,
    Supporter,
)
from outreach.campaigns.targets import Target
from outreach.campaigns.texts import title
from outreach.database import begin_write, insert_unless_present
from outreach.directory.models import Member, MemberOverride
from outreach.extensions import db
from outreach.outbox.compose import Supporter as LetterSupporter
from outreach.outbox.models import CONFIRMATION, OutboxMessage
from outreach.outbox.queue import forget
from outreach.urls import public_url

# The consent a supporter gives by ticking the box; stored word for word, with its version, per submission.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = lazy_gettext(
    "I agree that Outreach processes my letter and the political opinion it shows, and sends it in my name, with my "
    "e-mail address and city or postcode, to the recipients I chose."
)
NEWSLETTER_TEXT = lazy_gettext("Keep me informed about this campaign by e-mail (optional).")


@dataclass
class Draft:
    """What the supporter filled in, already checked by the form."""

    campaign: Campaign
    targets: list[Target]
    language: str
    subject: str
    body: str
    name: str
    email: str
    place: str | None
    newsletter: bool
    nonce: str
    ref: str | None = None
    mode: str = SEND
    page_language: str = "nl"


class AddressLimitReached(Exception):
    """This e-mail address made as many submissions as the configured limit allows."""


def template(campaign: Campaign, language: str) -> tuple[str, str]:
    """The campaign's subject and letter in `language` (Dutch when there is no such version), with the placeholders
    that are the same in every letter of the campaign (the debate's, while one is coming) filled in."""
    if language == "en" and campaign.body_en:
        language, subject, body = "en", campaign.subject_en or campaign.subject_nl or "", campaign.body_en
    else:
        language, subject, body = "nl", campaign.subject_nl or "", campaign.body_nl or ""
    values = hooks.campaign_values(campaign, language)
    return (letters.fill(subject, values), letters.fill(body, values)) if values else (subject, body)


def letter_languages(campaign: Campaign) -> list[str]:
    """The languages a supporter may write the letter in: those the campaign has a letter for."""
    return [lang for lang, body in (("nl", campaign.body_nl), ("en", campaign.body_en)) if body]


def render(campaign: Campaign, target: Target, language: str, subject: str, body: str, name: str, place: str | None):
    """(subject, body) as `target` receives them: every placeholder filled for them."""
    return render_all(campaign, [target], language, subject, body, name, place)[0]


def render_all(
    campaign: Campaign, chosen: list[Target], language: str, subject: str, body: str, name: str, place: str | None
) -> list[tuple[str, str]]:
    """(subject, body) as each of `chosen` receives them; the values the same in every letter (the rooms' hooks)
    are looked up once for all of them."""
    shared = {
        **dict.fromkeys(("debate_title", "debate_date"), ""),
        **hooks.campaign_values(campaign, language),
        "supporter_name": name,
        "supporter_city": place or "",
        "campaign_title": title(campaign, language),
    }
    rendered = []
    for target in chosen:
        values = {
            **shared,
            "salutation": target.salutation(language),
            "mp_name": target.name,
            "mp_party": target.party or "",
        }
        rendered.append((letters.fill(subject, values), letters.fill(body, values)))
    return rendered


def over_address_limit(email: str, now: datetime) -> bool:
    """True when this address already made as many submissions as the configured limit allows (per hour, per day)."""
    supporter_id = db.session.scalar(select(Supporter.id).where(Supporter.email == email.lower()))
    if supporter_id is None:
        return False
    for limit in parse_many(current_app.config["SUBMISSION_LIMIT_PER_ADDRESS"]):
        since = now - timedelta(seconds=limit.get_expiry())
        made = db.session.scalar(
            select(func.count(Submission.id)).where(
                Submission.supporter_id == supporter_id, Submission.created_at >= since
            )
        )
        if made >= limit.amount:
            return True
    return False


def existing(nonce: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.nonce == nonce))


def submit(draft: Draft, now: datetime) -> Submission:
    """Write the submission and its letters and queue the confirmation e-mail, in one transaction. A nonce seen
    before returns the submission it made; a new one over the address's limit raises AddressLimitReached."""
    found = existing(draft.nonce)
    if found is not None:
        return found
    if over_address_limit(draft.email, now):
        raise AddressLimitReached
    try:
        submission = _write(draft, now)
        db.session.commit()
    except IntegrityError:  # the same form posted twice at once: the other post won
        db.session.rollback()
        found = existing(draft.nonce)
        if found is None:
            raise
        return found
    return submission


def _write(draft: Draft, now: datetime) -> Submission:
    begin_write()
    email = draft.email.lower()
    insert_unless_present(Supporter, email=email, created_at=now, last_active_at=now)
    supporter = db.session.scalars(select(Supporter).where(Supporter.email == email)).one()
    supporter.last_active_at = now
    campaign = draft.campaign
    written = set(
        db.session.scalars(
            select(Letter.target).where(Letter.campaign_id == campaign.id, Letter.supporter_id == supporter.id)
        )
    )
    new_targets = [t for t in draft.targets if t.key not in written]
    skipped = [t.name for t in draft.targets if t.key in written]
    share, personal = letters.compare_with_template(draft.body, template(campaign, draft.language)[1])
    submission = Submission(
        nonce=draft.nonce,
        campaign_id=campaign.id,
        supporter_id=supporter.id,
        mode=draft.mode,
        status=AWAITING if new_targets else REPEATED,
        name=draft.name,
        place=draft.place,
        language=draft.language,
        page_language=draft.page_language,
        subject=draft.subject,
        body=draft.body,
        personalised=share,
        fingerprints=len(personal),
        consent_version=CONSENT_VERSION,
        consent_text=str(CONSENT_TEXT),
        consented_at=now,
        newsletter=draft.newsletter,
        ref=draft.ref,
        created_at=now,
    )
    db.session.add(submission)
    if draft.newsletter:
        supporter.newsletter = True
    rendered = render_all(campaign, new_targets, draft.language, draft.subject, draft.body, draft.name, draft.place)
    for target, (subject, body) in zip(new_targets, rendered, strict=True):
        submission.letters.append(
            Letter(
                campaign_id=campaign.id,
                supporter_id=supporter.id,
                target=target.key,
                member_id=target.member.id if target.member else None,
                extra_target_id=target.extra.id if target.extra else None,
                committee_id=target.committee.id if target.committee else None,
                recipient_name=target.name,
                salutation=target.salutation(draft.language),
                subject=subject,
                body=body,
                personalised=share,
                status=MAIL_PROGRAM if draft.mode == OWN_MAIL else AWAITING,
                created_at=now,
            )
        )
    db.session.flush()
    _check_for_review(submission, email, personal)
    if draft.mode == SEND:
        message = send_confirmation(submission, skipped=skipped)
        db.session.flush()
        submission.confirmation_message_id = message.id
    return submission


def correct_address(submission: Submission, email: str, now: datetime) -> Submission:
    """Move a letter still waiting for confirmation to a corrected address (the caller commits): a new submission
    with a new link, mailed to the new address; the old one's e-mails are wiped and its link stops working, so the
    mistyped address is never mailed again. Recipients the new address already wrote to are left out, as on the form.
    Raises AddressLimitReached when the new address is over its limit."""
    if over_address_limit(email, now):
        raise AddressLimitReached
    begin_write()
    address = email.lower()
    insert_unless_present(Supporter, email=address, created_at=now, last_active_at=now)
    supporter = db.session.scalars(select(Supporter).where(Supporter.email == address)).one()
    old_supporter, nonce = submission.supporter, submission.nonce
    submission.nonce = "moved-" + secrets.token_urlsafe(16)  # its nonce passes to the new one: no double post
    db.session.flush()
    kept = {
        column.name: getattr(submission, column.name)
        for column in Submission.__table__.columns
        if column.name not in MOVE_RESETS
    }
    moved = Submission(**kept, nonce=nonce, supporter_id=supporter.id, status=AWAITING, created_at=now)
    if moved.review_reason == "parliament_address":
        moved.review_reason = None
    db.session.add(moved)
    db.session.flush()
    mine = (Letter.campaign_id == submission.campaign_id) & (Letter.supporter_id == supporter.id)
    written = set(db.session.scalars(select(Letter.target).where(mine)))
    skipped = []
    for letter in list(submission.letters):
        if letter.target in written:
            skipped.append(letter.recipient_name)
            submission.letters.remove(letter)
        else:
            letter.supporter_id = supporter.id
            letter.submission = moved
    db.session.execute(
        update(SubmissionFingerprint)
        .where(SubmissionFingerprint.submission_id == submission.id)
        .values(submission_id=moved.id)
    )
    forget([submission.confirmation_message_id, submission.reminder_message_id])
    db.session.delete(submission)
    db.session.flush()
    if not db.session.scalar(select(Submission.id).where(Submission.supporter_id == old_supporter.id).limit(1)):
        db.session.delete(old_supporter)
    if not moved.letters:
        moved.status = REPEATED
    if moved.review_reason is None and _is_parliament_address(address):
        moved.review_reason = "parliament_address"
    message = send_confirmation(moved, skipped=skipped)
    db.session.flush()
    moved.confirmation_message_id = message.id
    return moved


# What a submission moved to a corrected address does not take along.
MOVE_RESETS = {
    "id",
    "nonce",
    "supporter_id",
    "status",
    "created_at",
    "reminded_at",
    "confirmed_at",
    "confirmation_message_id",
    "reminder_message_id",
}


def _check_for_review(submission: Submission, email: str, personal: set[int]) -> None:
    """Hold letters for an organiser when their personal part is nearly the same as another supporter's (WriteToThem's
    fingerprint and Dice test) or when they come from an address of the House."""
    config = current_app.config
    if personal:
        db.session.add_all(
            SubmissionFingerprint(submission_id=submission.id, campaign_id=submission.campaign_id, value=value)
            for value in personal
        )
    if len(personal) >= config["SIMILARITY_MIN_FINGERPRINTS"]:
        shared = func.count(SubmissionFingerprint.id)
        candidates = db.session.execute(
            select(Submission.id, Submission.fingerprints, shared)
            .join(SubmissionFingerprint, SubmissionFingerprint.submission_id == Submission.id)
            .where(
                SubmissionFingerprint.campaign_id == submission.campaign_id,
                SubmissionFingerprint.value.in_(personal),
                Submission.supporter_id != submission.supporter_id,
            )
            .group_by(Submission.id, Submission.fingerprints)
            .order_by(shared.desc())
            .limit(20)
        ).all()
        best = max(((2 * common / (len(personal) + size), other) for other, size, common in candidates), default=None)
        if best and best[0] >= config["SIMILARITY_THRESHOLD"]:
            submission.similarity, submission.similar_to = round(best[0], 2), best[1]
            submission.review_reason = "similar"
    if submission.review_reason is None and _is_parliament_address(email):
        submission.review_reason = "parliament_address"


def _is_parliament_address(email: str) -> bool:
    """An address on one of the House's domains, or a member's own (as synced or as corrected)."""
    domain = email.rpartition("@")[2]
    if any(domain == d or domain.endswith("." + d) for d in current_app.config["REVIEW_ADDRESS_DOMAINS"]):
        return True
    synced = select(Member.id).where(func.lower(Member.email) == email)
    corrected = select(MemberOverride.id).where(func.lower(MemberOverride.email) == email)
    return bool(db.session.scalar(select(synced.exists() | corrected.exists())))


def send_confirmation(
    submission: Submission, skipped: list[str] | None = None, reminder: bool = False
) -> OutboxMessage:
    """Queue the e-mail with the confirmation link: the recipients by name, the start of the letter, nothing more."""
    names = [letter.recipient_name for letter in submission.letters]
    return mail_supporter(
        submission,
        CONFIRMATION,
        "confirmation",
        supporter=LetterSupporter(submission.name, submission.supporter.email),
        names=names,
        excerpt=_excerpt(submission.letters[0].body) if names else "",
        days=current_app.config["CONFIRM_VALID_SECONDS"] // 86400,
        link=public_url("campaigns.confirm", token=tokens.confirmation(submission.id)),
        skipped=skipped or [],
        reminder=reminder,
    )


def _excerpt(body: str, length: int = 160) -> str:
    """The first words of the letter after its salutation, for the confirmation e-mail."""
    text = " ".join(body.split("\n", 1)[-1].split())
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"
