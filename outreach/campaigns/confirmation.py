"""After the form: the supporter confirms (letters go to the outbox, or wait for review), is reminded once after a
day, and what stays unconfirmed expires and is wiped. Organisers release or reject letters held for review."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.campaigns import drafts, lifecycle
from outreach.campaigns.mails import mail_supporter
from outreach.campaigns.models import (
    AWAITING,
    CLOSED,
    CONFIRMED,
    HELD,
    LIVE,
    PAUSED,
    QUEUED,
    REPEATED,
    Campaign,
    Letter,
    Submission,
)
from outreach.campaigns.submit import send_confirmation
from outreach.campaigns.texts import title
from outreach.directory.models import Committee, ExtraTarget, Member
from outreach.extensions import db
from outreach.outbox import compose
from outreach.outbox.models import NOTICE
from outreach.outbox.queue import forget, hold_campaign, release_campaign
from outreach.urls import public_url

CAMPAIGN_PAUSED = "campaign_paused"
NO_ADDRESS = "no_address"


def confirm(submission: Submission, now: datetime) -> bool:
    """Confirm a submission awaiting it (the caller commits): its letters are queued, or held when the campaign is
    paused or an organiser must look first. False when there was nothing to confirm (a second click) or the
    campaign has closed."""
    if submission.status != AWAITING or submission.campaign.status == CLOSED:
        return False
    submission.status, submission.confirmed_at = CONFIRMED, now
    submission.supporter.last_active_at = now
    recipients = _members_of(submission.letters)  # noqa: F841 (held here, so that the loop finds them loaded)
    for letter in submission.letters:
        if submission.review_reason:
            lifecycle.hold(letter, submission.review_reason)
        elif submission.campaign.status != LIVE:
            lifecycle.hold(letter, CAMPAIGN_PAUSED)
        else:
            queue(letter, now)
    return True


def _members_of(letters: list[Letter]) -> list[Member]:
    """The letters' members with their corrections, loaded in two statements instead of two per letter."""
    ids = {letter.member_id for letter in letters if letter.member_id is not None}
    if not ids:
        return []
    return list(db.session.scalars(select(Member).where(Member.id.in_(ids)).options(selectinload(Member.override))))


def queue(letter: Letter, now: datetime) -> None:
    """Hand one letter to the outbox, addressed as the directory says now (held when there is no address left)."""
    submission, campaign = letter.submission, letter.submission.campaign
    address = current_address(letter)
    if not address:
        lifecycle.hold(letter, NO_ADDRESS)
        return
    language = submission.language
    message = compose.enqueue_letter(
        compose.Recipient(letter.recipient_name, address, letter.member_id),
        compose.Supporter(submission.name, submission.supporter.email, submission.place, submission.page_language),
        compose.Campaign(
            campaign.id,
            title(campaign, language),
            public_url("campaigns.show", slug=campaign.slug),
            campaign.contact,
            campaign.daily_cap,
        ),
        letter.subject,
        letter.body,
        language=language,
        tracking_address=campaign.tracking_address,
    )
    lifecycle.mark_queued(letter, message, now)
    db.session.flush()


def current_address(letter: Letter) -> str | None:
    if letter.member_id is not None:
        member = db.session.get(Member, letter.member_id)
        return member.effective_email if member is not None else None
    if letter.committee_id is not None:
        committee = db.session.get(Committee, letter.committee_id)
        return committee.email if committee is not None and committee.active_until is None else None
    extra = db.session.get(ExtraTarget, letter.extra_target_id) if letter.extra_target_id else None
    return extra.email if extra is not None and extra.active else None


def release(letters: list[Letter], now: datetime) -> int:
    """Send held letters after all (an organiser reviewed them, or the campaign is live again)."""
    released = 0
    recipients = _members_of(letters)  # noqa: F841 (held here, so that the loop finds them loaded)
    for letter in letters:
        if letter.status == HELD and letter.submission.campaign.status == PAUSED:
            lifecycle.hold(letter, CAMPAIGN_PAUSED)  # a paused campaign sends nothing: these go when it is live again
        elif letter.status == HELD:
            queue(letter, now)
            released += letter.status == QUEUED
    return released


def reject(submission: Submission, message: str) -> int:
    """Refuse a submission's held letters and tell the supporter why, in the organiser's words."""
    held = [letter for letter in submission.letters if lifecycle.reject(letter)]
    if held:
        names = [letter.recipient_name for letter in held]
        mail_supporter(submission, NOTICE, "rejection", names=names, explanation=message.strip())
    return len(held)


def resume_campaign(campaign: Campaign, now: datetime) -> int:
    """A campaign that is live again sends the letters confirmed while it was paused."""
    waiting = db.session.scalars(
        select(Letter).where(
            Letter.campaign_id == campaign.id, Letter.status == HELD, Letter.hold_reason == CAMPAIGN_PAUSED
        )
    ).all()
    return release(list(waiting), now)


def remind_and_expire(now: datetime) -> tuple[int, int]:
    """The daily life of unconfirmed submissions: one reminder a day after (unless the supporter already had the
    e-mail sent again), wiped when the link has expired; drafts nobody came back to are wiped too.
    Returns (reminded, expired); the worker runs it every minute or so, the caller commits."""
    expired = expire(now)
    drafts.expire(now)
    remind_before = now - timedelta(seconds=current_app.config["CONFIRM_REMINDER_AFTER"])
    due = db.session.scalars(
        select(Submission).where(
            Submission.status == AWAITING,
            Submission.reminded_at.is_(None),
            Submission.created_at < remind_before,  # the expired ones are gone already
        )
    ).all()
    for submission in due:
        message = send_confirmation(submission, reminder=True)
        db.session.flush()
        submission.reminded_at, submission.reminder_message_id = now, message.id
    return len(due), expired


def discard(submission: Submission) -> None:
    """Delete a submission never confirmed, with its letters and fingerprints, and wipe its confirmation e-mails."""
    forget([submission.confirmation_message_id, submission.reminder_message_id])
    db.session.delete(submission)


def expire(now: datetime) -> int:
    """Delete unconfirmed submissions whose link has expired, their letters and confirmation e-mails, and the
    supporter when nothing else of theirs is left. Returns how many."""
    expire_before = now - timedelta(seconds=current_app.config["CONFIRM_VALID_SECONDS"])
    expired = db.session.scalars(
        select(Submission).where(Submission.status.in_([AWAITING, REPEATED]), Submission.created_at < expire_before)
    ).all()
    for submission in expired:
        supporter = submission.supporter
        discard(submission)
        db.session.flush()
        if not db.session.scalar(select(Submission.id).where(Submission.supporter_id == supporter.id).limit(1)):
            db.session.delete(supporter)
    return len(expired)


def change_status(campaign: Campaign, status: str, now: datetime) -> int:
    """Move a campaign to `status` (the caller commits). Pausing holds its letters in the outbox at once (the kill
    switch); going live again sends them, with those confirmed during the pause. The campaign's status is the one
    switch: the outbox page's kill switch comes here too. Returns how many messages were held or released."""
    previous, campaign.status = campaign.status, status
    if status == previous:
        return 0
    if status == PAUSED:
        return hold_campaign(campaign.id)
    if status == LIVE and previous == PAUSED:
        return release_campaign(campaign.id) + resume_campaign(campaign, now)
    return 0


def kill_switch(campaign_id: int, hold: bool, now: datetime) -> int:
    """The outbox page's kill switch, which is the campaign's own status: holding pauses a live campaign and
    releasing makes a paused one live again, so both pages always agree and nothing sends a paused campaign's
    letters. Messages of a draft or closed campaign (or of one no longer on file) are held and released in the
    outbox alone. Returns how many messages were held or released; the caller commits."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None and campaign.status == (LIVE if hold else PAUSED):
        return change_status(campaign, PAUSED if hold else LIVE, now)
    return hold_campaign(campaign_id) if hold else release_campaign(campaign_id)
