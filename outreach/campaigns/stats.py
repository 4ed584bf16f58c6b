"""A campaign in numbers (the public counter, the organisers' overview) and the letters supporters send from their
own mail program."""

from datetime import datetime
from urllib.parse import quote, urlencode

from sqlalchemy import distinct, func, select

from outreach.campaigns.confirmation import current_address
from outreach.campaigns.models import MAIL_PROGRAM, OPENED, QUEUED, Campaign, Letter, Submission
from outreach.extensions import db
from outreach.outbox.queue import sent_message_ids


def totals(campaign: Campaign) -> dict[str, int]:
    """The public counter: letters that reached a recipient (sent by us, or opened in the supporter's mail program)
    and how many different recipients they reached."""
    delivered = (Letter.status == OPENED) | (
        (Letter.status == QUEUED) & Letter.outbox_message_id.in_(sent_message_ids(campaign.id))
    )
    letters, recipients = db.session.execute(
        select(func.count(Letter.id), func.count(distinct(Letter.target))).where(
            Letter.campaign_id == campaign.id, delivered
        )
    ).one()
    return {"letters": letters, "recipients": recipients, "goal": campaign.goal or 0}


def letters_by_status(campaign: Campaign) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Letter.status, func.count(Letter.id))
            .where(Letter.campaign_id == campaign.id)
            .group_by(Letter.status)
        ).all()
    )


def by_source(campaign: Campaign) -> list[tuple[str | None, int, int]]:
    """Per ?ref= source: submissions and letters (None: people who came without one)."""
    rows = db.session.execute(
        select(Submission.ref, func.count(distinct(Submission.id)), func.count(Letter.id))
        .outerjoin(Letter, Letter.submission_id == Submission.id)
        .where(Submission.campaign_id == campaign.id)
        .group_by(Submission.ref)
        .order_by(func.count(Letter.id).desc())
    ).all()
    return [(ref, submissions, letters) for ref, submissions, letters in rows]


def mail_links(letter: Letter, campaign: Campaign) -> dict[str, str]:
    """Links that open the letter in a mail program: mailto, Gmail and Outlook on the web, with the campaign's
    tracking address in Bcc where the program takes one (Outlook's link does not)."""
    address = current_address(letter)
    if not address:
        return {}
    bcc = campaign.tracking_address
    mailto = {"subject": letter.subject, "body": letter.body}
    if bcc:
        mailto["bcc"] = bcc
    gmail = {"view": "cm", "fs": "1", "to": address, "su": letter.subject, "body": letter.body}
    if bcc:
        gmail["bcc"] = bcc
    outlook = {"to": address, "subject": letter.subject, "body": letter.body}
    return {
        "mailto": f"mailto:{quote(address, safe='@')}?" + urlencode(mailto, quote_via=quote),
        "gmail": "https://mail.google.com/mail/?" + urlencode(gmail, quote_via=quote),
        "outlook": "https://outlook.office.com/mail/deeplink/compose?" + urlencode(outlook, quote_via=quote),
    }


def record_opened(letter: Letter, now: datetime) -> None:
    """The supporter opened this letter in their mail program (counted once; the caller commits)."""
    if letter.status == MAIL_PROGRAM:
        letter.status, letter.opened_at = OPENED, now
