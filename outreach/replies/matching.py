"""Which letter a message that came back belongs to: the per-letter plus-address first, then the thread
(In-Reply-To/References against the letters' Message-IDs), then who sent it (an MP in the directory, or a
supporter forwarding an MP's answer). What none of these finds waits in the organisers' inbox."""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, select

from outreach.campaigns import lifecycle
from outreach.campaigns.models import Letter, Supporter
from outreach.directory.delivery import members_at
from outreach.extensions import db
from outreach.outbox.models import DIGEST, OutboxMessage
from outreach.replies.models import ANSWER, BY_FORWARD, BY_SENDER, BY_THREAD, BY_TOKEN, Reply
from outreach.replies.parsing import Mail

TOKEN = r"([0-9a-z]{8,40})"


@dataclass
class Match:
    letter: Letter | None = None
    outbox_message: OutboxMessage | None = None
    member_id: int | None = None
    campaign_id: int | None = None
    by: str | None = None


def tokens_in(recipients: list[str]) -> list[str]:
    """The per-message tokens in the plus-addresses a message was sent to (the reply address or the bounce
    address: both carry the token of the outbox message they answer)."""
    found = []
    for configured in (current_app.config.get("REPLY_ADDRESS"), current_app.config.get("BOUNCE_ADDRESS")):
        if not configured:
            continue
        local, _, domain = configured.lower().partition("@")
        pattern = re.compile(rf"{re.escape(local)}\+{TOKEN}@{re.escape(domain)}")
        found += [hit.group(1) for address in recipients if (hit := pattern.fullmatch(address))]
    return list(dict.fromkeys(found))


def through_digests(tokens: list[str], thread: list[str]) -> list[str]:
    """The tokens a message answers, a digest's standing for the letters it carries: a reply to a digest (to its
    reply address, or on its thread when it has none) counts for each of them, as if it answered each letter."""
    if not tokens and not thread:
        return tokens
    which = OutboxMessage.bounce_token.in_(tokens) if tokens else OutboxMessage.message_id.in_(thread[:50])
    digests = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.bounce_token).where(which, OutboxMessage.kind == DIGEST)
    ).all()
    if not digests:
        return tokens
    letters: dict[int, list[str]] = {}
    for digest_id, token in db.session.execute(
        select(OutboxMessage.digest_id, OutboxMessage.bounce_token)
        .where(OutboxMessage.digest_id.in_([digest_id for digest_id, _ in digests]))
        .order_by(OutboxMessage.id)
    ):
        letters.setdefault(digest_id, []).append(token)
    carried = {token: letters.get(digest_id, [token]) for digest_id, token in digests}
    expanded = [found for token in tokens or list(carried) for found in carried.get(token, [token])]
    return list(dict.fromkeys(expanded))


def find(mail: Mail, token: str | None = None) -> Match:
    """The letter (or other outgoing message) a parsed message answers, and how that was found (`token`: the
    reply address it was delivered to, when it went to several)."""
    tokens = [token] if token else tokens_in(mail.recipients)
    if tokens:
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.bounce_token.in_(tokens)).limit(1))
        if message is not None:
            return _for_message(message, BY_TOKEN)
    thread = list(mail.references)
    if mail.report:
        thread += mail.report.original_ids
    if mail.forwarded:
        thread += mail.forwarded.references
    if thread:
        found = db.session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(thread[:50]))).all()
        if found:  # the nearest in the thread: In-Reply-To before the older References
            return _for_message(min(found, key=lambda message: thread.index(message.message_id)), BY_THREAD)
    if mail.report is not None:
        return Match()
    if mail.forwarded and mail.from_address:
        supporter = db.session.scalar(select(Supporter).where(Supporter.email == mail.from_address))
        if supporter is not None and mail.forwarded.from_address:
            letter = letter_for(members_at(mail.forwarded.from_address), supporter_id=supporter.id)
            if letter is not None:
                return for_letter(letter, BY_FORWARD)
    sender = mail.forwarded.from_address if mail.forwarded else mail.from_address
    if sender:
        members = members_at(sender)
        # An answer copied to the campaign is addressed to the supporter: their letter, when they wrote one.
        addressed = db.session.scalars(select(Supporter.id).where(Supporter.email.in_(mail.recipients[:50]))).all()
        letter = next(
            (found for found in (letter_for(members, supporter_id=s) for s in addressed) if found is not None),
            None,
        ) or letter_for(members)
        if letter is not None:
            return for_letter(letter, BY_SENDER)
    return Match()


def letter_for(member_ids: list[int], campaign_id: int | None = None, supporter_id: int | None = None) -> Letter | None:
    """The letter an answer from one of these members most likely belongs to: the latest one that went out (sent
    by the outbox, or opened in the supporter's own mail program) and has no answer yet, else the latest one."""
    if not member_ids:
        return None
    answered = exists().where(Reply.letter_id == Letter.id, Reply.kind == ANSWER)
    query = (
        select(Letter)
        .where(Letter.member_id.in_(member_ids), lifecycle.sent())
        .order_by(answered.asc(), Letter.id.desc())
        .limit(1)
    )
    if campaign_id is not None:
        query = query.where(Letter.campaign_id == campaign_id)
    if supporter_id is not None:
        query = query.where(Letter.supporter_id == supporter_id)
    return db.session.scalar(query)


def _for_message(message: OutboxMessage, by: str) -> Match:
    letter = db.session.scalar(select(Letter).where(Letter.outbox_message == message))
    if letter is None:
        return Match(outbox_message=message, member_id=message.member_id, campaign_id=message.campaign_id, by=by)
    return Match(letter, message, letter.member_id, letter.campaign_id, by)


def for_letter(letter: Letter, by: str) -> Match:
    """A letter (and its outbox message), as a reply is linked to it."""
    return Match(letter, letter.outbox_message, letter.member_id, letter.campaign_id, by)
