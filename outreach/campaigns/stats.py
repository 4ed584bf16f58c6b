"""A campaign in numbers (the public counter, the organisers' overview) and the letters supporters send from their
own mail program.

One definition of a letter sent (`lifecycle.sent`, `lifecycle.is_sent`) serves every page and export that counts
letters (the public counter, the campaigns overview, the reports, the handover, the outbox, the CSV files): a letter
to one recipient that our outbox handed to the recipient's mail server, which accepted it, and for which no bounce
came back; or one the supporter opened, ready to send, in their own mail program. Confirmations, notices and surveys
to supporters are e-mails, not letters. Members reached are the different members of the House among the recipients
of letters sent (a committee's or another address is not a member).
"""

import time
from collections import Counter
from datetime import datetime
from urllib.parse import quote, urlencode

from flask import current_app
from flask_login import current_user
from sqlalchemy import distinct, func, select

from outreach.campaigns import lifecycle
from outreach.campaigns.confirmation import current_address
from outreach.campaigns.models import QUEUED, Campaign, Letter, Submission
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import OutboxMessage

SENT = "sent"  # a letter's state as people say it: accepted by the recipient's mail server
PUBLIC_TOTALS = "outreach.public_totals"  # per process: campaign id -> (when counted, its totals)


def letter_state(letter_status: str, delivery: str | None) -> str:
    """What became of a letter in one word: the campaign's own state until the outbox has it, then the outbox's
    outcome (sent, failed, cancelled) or "queued" while it waits there."""
    if letter_status != QUEUED or delivery is None:
        return letter_status
    if lifecycle.is_sent(letter_status, delivery):
        return SENT  # (a letter opened in a mail program keeps "opened": we cannot know more)
    return delivery if delivery in (states.FAILED, states.CANCELLED) else QUEUED


def letters_sent(campaign_id: int) -> int:
    """How many of a campaign's letters were sent."""
    return db.session.scalar(select(func.count(Letter.id)).where(lifecycle.sent(campaign_id))) or 0


def totals(campaign: Campaign) -> dict[str, int]:
    """The public counter: letters sent, members reached and the campaign's goal."""
    # Both numbers in one pass over the campaign's letters.
    letters, members = db.session.execute(
        select(func.count(Letter.id), func.count(distinct(Letter.member_id))).where(lifecycle.sent(campaign.id))
    ).one()
    return {"letters": letters or 0, "recipients": members or 0, "goal": campaign.goal or 0}


def public_totals(campaign: Campaign) -> dict[str, int]:
    """The counter on the campaign's public page, its thank-you page and its embedded card, counted at most once per
    PUBLIC_COUNTER_SECONDS in each process: on a busy day every visitor sees it, and counting costs more the more
    letters there are (about half of the campaign page's 100 ms at 100,000). Organisers always see it counted afresh."""
    if current_user.is_authenticated:
        return totals(campaign)
    kept: dict = current_app.extensions.setdefault(PUBLIC_TOTALS, {})
    now = time.monotonic()
    found = kept.get(campaign.id)
    if found is None or now - found[0] >= current_app.config["PUBLIC_COUNTER_SECONDS"]:
        found = kept[campaign.id] = (now, totals(campaign))
    return {**found[1], "goal": campaign.goal or 0}


def letters_by_status(campaign: Campaign) -> dict[str, int]:
    """Letters per state (`letter_state`), for the organisers' overview."""
    rows = db.session.execute(
        select(Letter.status, OutboxMessage.status, func.count(Letter.id))
        .outerjoin(Letter.outbox_message)
        .where(Letter.campaign_id == campaign.id)
        .group_by(Letter.status, OutboxMessage.status)
    ).all()
    result: Counter = Counter()
    for letter_status, delivery, count in rows:
        result[letter_state(letter_status, delivery)] += count
    return dict(result)


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
    lifecycle.mark_opened(letter, now)
