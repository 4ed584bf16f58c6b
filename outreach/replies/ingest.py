"""One way in for every message that comes back, whichever road it took (IMAP, a file, the webhook): stored once,
read, classified, linked to its letter; a bounce marks the letter undelivered and flags the MP's address."""

import hashlib
import logging
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach.campaigns import lifecycle
from outreach.campaigns.models import Letter, Supporter
from outreach.database import utcnow
from outreach.directory.delivery import flag_undeliverable, members_at
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.notices import notify_supporter
from outreach.replies import matching
from outreach.replies.classify import classify
from outreach.replies.models import (
    ACKNOWLEDGEMENT,
    ANSWER,
    AUTO_REPLY,
    BOUNCE,
    BY_HAND,
    BY_SENDER,
    DELAY,
    NOT_A_REPLY,
    REPORT,
    UNREADABLE,
    Reply,
)
from outreach.replies.parsing import RECIPIENT_HEADERS, Mail, NotAnEmail, first_id, parse, thread_ids
from outreach.replies.text import strip_history

log = logging.getLogger(__name__)
MAX_TEXT = 20000
AUTOMATIC = (BOUNCE, DELAY, REPORT, AUTO_REPLY, ACKNOWLEDGEMENT)


def envelope(raw: bytes) -> tuple[str | None, list[str]]:
    """The message's Message-ID and the per-letter tokens of the addresses it was delivered to (a digest's standing
    for the letters it carries), from its header alone (read leniently, folded lines and all)."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    message_id = first_id(" ".join(str(value) for value in headers.get_all("Message-ID", [])))
    values = [str(value) for name in RECIPIENT_HEADERS for value in headers.get_all(name, [])]
    recipients = [address.lower() for _name, address in getaddresses(values) if "@" in address]
    return message_id, matching.through_digests(matching.tokens_in(recipients), thread_ids(headers))


def dedupe_key(raw: bytes, token: str | None = None, message_id: str | None = None) -> str:
    """The message's Message-ID (the same message arriving twice, or by two roads, has the same), or a digest of its
    bytes when it has none; with the letter's token when it went to a letter's reply address."""
    message_id = message_id or envelope(raw)[0]
    key = "mid:" + message_id if message_id else "sha256:" + hashlib.sha256(raw).hexdigest()
    return f"{key}#{token}" if token else key


def ingest(raw: bytes, source: str, now: datetime | None = None) -> tuple[Reply, bool]:
    """Store one incoming message (the caller commits). Returns (the reply, False) when it was stored before.
    Nothing about the message can make this fail: what cannot be read is kept for an organiser. A message delivered
    to several letters' reply addresses at once (an office answering many supporters in one e-mail) counts for
    each of those letters."""
    now = now or utcnow()
    message_id, tokens = envelope(raw)
    stored = [_ingest_once(raw, source, now, token, dedupe_key(raw, token, message_id)) for token in tokens or [None]]
    return stored[0][0], any(new for _reply, new in stored)


def _ingest_once(raw: bytes, source: str, now: datetime, token: str | None, key: str) -> tuple[Reply, bool]:
    existing = db.session.scalar(select(Reply).where(Reply.dedupe_key == key))
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():  # a message that fails half-way leaves nothing behind but itself, unread
            reply = _read(raw, source, now, token)
            reply.dedupe_key = key
            db.session.add(reply)
        return reply, True
    except IntegrityError as error:
        stored = db.session.scalar(select(Reply).where(Reply.dedupe_key == key))
        if stored is not None:  # the same message, stored at this moment by another road
            return stored, False
        problem = f"IntegrityError: {error.orig}"
    except NotAnEmail as error:
        problem = str(error)
    except Exception as error:  # a message no rule foresaw: kept, never lost, never stopping the rest
        log.exception("could not read an incoming message")
        problem = f"{type(error).__name__}: {error}"
    reply = Reply(
        dedupe_key=key,
        source=source,
        kind=UNREADABLE,
        handled=False,
        error=_clean(problem, 500),
        raw=_kept(raw),
        received_at=now,
        created_at=now,
    )
    db.session.add(reply)
    return reply, True


def _read(raw: bytes, source: str, now: datetime, token: str | None) -> Reply:
    mail = parse(raw)
    if mail.forwarded and mail.from_address and members_at(mail.from_address):
        mail.forwarded = None  # a member forwarding (or answering above "FW:") writes their own answer on top
    kind = classify(mail)
    match = matching.find(mail, token)
    if match.letter is not None and not mail.forwarded and _from_its_supporter(match.letter, mail.from_address):
        kind = NOT_A_REPLY  # the supporter answering on the thread ("thank you!") is not the member's answer
    original = mail.forwarded
    reply = Reply(
        source=source,
        kind=kind,
        from_address=_clean((original.from_address if original else None) or mail.from_address, 254),
        from_name=_clean((original.from_name if original else None) or mail.from_name, 300),
        subject=_clean(mail.subject, 998),
        text=_clean(_text(mail), MAX_TEXT),
        status_code=mail.report.status if mail.report else None,
        received_at=_sane(mail.date, now),
        created_at=now,
    )
    _link(reply, match)
    reply.handled = _handled(reply)
    if match.letter is None and match.outbox_message is None:
        reply.raw = _kept(raw)
    if kind == BOUNCE and match.outbox_message is not None:
        bounced(match.outbox_message, match.letter, mail.report.diagnostic if mail.report else "", reply, now)
    return reply


def _handled(reply: Reply) -> bool:
    """Whether an organiser needs to do nothing: a message linked to its letter, or an automatic one about another
    e-mail of ours (a confirmation that bounced). Not: a bounce whose meaning no rule could read, an answer linked
    only by its sender's address (a good guess, for an organiser to confirm), or anything a person wrote that is not
    linked to a letter (a supporter answering the survey e-mail)."""
    if reply.kind == REPORT and reply.status_code is None:
        return False
    if reply.matched_by == BY_SENDER and reply.kind == ANSWER:
        return False
    if reply.letter_id is not None:
        return True
    return reply.outbox_message_id is not None and reply.kind in AUTOMATIC


def _from_its_supporter(letter: Letter, sender: str | None) -> bool:
    supporter = db.session.get(Supporter, letter.supporter_id)
    return bool(sender and supporter and supporter.email == sender)


def _clean(value: str | None, length: int) -> str | None:
    """Text as the database takes it: no NUL characters (PostgreSQL refuses them), not longer than its column."""
    return value.replace("\x00", "")[:length] if value is not None else None


def _link(reply: Reply, match: "matching.Match") -> None:
    reply.matched_by = match.by
    reply.letter_id = match.letter.id if match.letter else None
    reply.member_id = match.member_id
    reply.campaign_id = match.campaign_id
    reply.outbox_message_id = match.outbox_message.id if match.outbox_message else None


def _text(mail: Mail) -> str:
    if mail.report is not None:
        return "\n".join(part for part in (mail.report.diagnostic, mail.text) if part)
    return mail.forwarded.text if mail.forwarded is not None else strip_history(mail.text)


def _sane(moment: datetime | None, now: datetime) -> datetime:
    """The Date the sender's program wrote, unless it is missing or clearly wrong (in the future, or long ago)."""
    if moment is None or moment > now + timedelta(days=1) or moment < now - timedelta(days=3650):
        return now
    return moment


def _kept(raw: bytes) -> bytes:
    return raw[: current_app.config["REPLY_RAW_KEEP_BYTES"]]


def bounced(message: OutboxMessage, letter: Letter | None, diagnostic: str, reply: Reply, now: datetime) -> None:
    """A letter the MP's server reported undeliverable after accepting it: the letter counts as not delivered, the
    address is flagged in the directory (later letters to it are held) and the supporter gets a copy, once."""
    if message.kind != LETTER:
        return  # a supporter's address that bounced is not the directory's business
    flag_undeliverable(message.recipient, f"{reply.status_code or ''} {diagnostic}".strip() or "bounce", now)
    if letter is not None and lifecycle.mark_bounced(letter) and message.supporter_email:
        notify_supporter(message)


def assign(reply: Reply, letter: Letter, now: datetime) -> None:
    """An organiser links a reply to a letter: it counts for that letter from now on."""
    _link(reply, matching.for_letter(letter, BY_HAND))
    reply.handled, reply.raw = True, None
    kind_changed(reply, now)


def by_hand(letter: Letter, kind: str, text: str, received_at: datetime, now: datetime, **fields: object) -> Reply:
    """An answer that did not come by mail (logged by an organiser, pasted by a supporter in the survey), linked to
    its letter (the caller adds it and commits)."""
    reply = Reply(kind=kind, handled=True, subject="", text=text, received_at=received_at, created_at=now, **fields)
    _link(reply, matching.for_letter(letter, BY_HAND))
    return reply


def kind_changed(reply: Reply, now: datetime) -> None:
    """A bounce an organiser recognised (or linked) has the effects of one recognised on arrival."""
    if reply.kind != BOUNCE or reply.outbox_message_id is None:
        return
    letter = db.session.get(Letter, reply.letter_id) if reply.letter_id else None
    if reply.outbox_message is not None:
        bounced(reply.outbox_message, letter, reply.error or "", reply, now)
