"""One way in for every message that comes back, whichever road it took (IMAP, a file, the webhook): stored once,
read, classified, linked to its letter; a bounce marks the letter undelivered and flags the MP's address."""

import hashlib
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach.campaigns.models import BOUNCED, Letter
from outreach.database import utcnow
from outreach.directory.delivery import flag_undeliverable
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.worker import notify_supporter
from outreach.replies import matching
from outreach.replies.classify import classify
from outreach.replies.models import BOUNCE, BY_HAND, REPORT, UNREADABLE, Reply
from outreach.replies.parsing import Mail, NotAnEmail, first_id, parse
from outreach.replies.text import strip_history

log = logging.getLogger(__name__)
MAX_TEXT = 20000


def dedupe_key(raw: bytes) -> str:
    """The message's Message-ID (the same message arriving twice, or by two roads, has the same), or a digest of its
    bytes when it has none."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("latin-1")
    for line in head.replace("\r\n", "\n").split("\n"):
        if line.lower().startswith("message-id:"):
            found = first_id(line[11:])
            if found:
                return "mid:" + found
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def ingest(raw: bytes, source: str, now: datetime | None = None) -> tuple[Reply, bool]:
    """Store one incoming message (the caller commits). Returns (the reply, False) when it was stored before.
    Nothing about the message can make this fail: what cannot be read is kept for an organiser."""
    now = now or utcnow()
    key = dedupe_key(raw)
    existing = db.session.scalar(select(Reply).where(Reply.dedupe_key == key))
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():  # a message that fails half-way leaves nothing behind but itself, unread
            reply = _read(raw, source, now)
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
        error=problem[:500],
        raw=_kept(raw),
        received_at=now,
        created_at=now,
    )
    db.session.add(reply)
    return reply, True


def _read(raw: bytes, source: str, now: datetime) -> Reply:
    mail = parse(raw)
    kind = classify(mail)
    match = matching.find(mail)
    original = mail.forwarded
    reply = Reply(
        source=source,
        kind=kind,
        matched_by=match.by,
        from_address=(original.from_address if original else None) or mail.from_address,
        from_name=(original.from_name if original else None) or mail.from_name,
        subject=mail.subject[:998],
        text=_text(mail, kind),
        status_code=mail.report.status if mail.report else None,
        received_at=_sane(mail.date, now),
        created_at=now,
    )
    _link(reply, match)
    if match.letter is None and match.outbox_message is None:
        reply.handled = False
        reply.raw = _kept(raw)
    elif kind == REPORT and reply.status_code is None:  # a bounce whose meaning no rule could read
        reply.handled = False
    if kind == BOUNCE and match.outbox_message is not None:
        bounced(match.outbox_message, match.letter, mail.report.diagnostic if mail.report else "", reply, now)
    return reply


def _link(reply: Reply, match: "matching.Match") -> None:
    reply.letter_id = match.letter.id if match.letter else None
    reply.member_id = match.member_id
    reply.campaign_id = match.campaign_id
    reply.outbox_message_id = match.outbox_message.id if match.outbox_message else None


def _text(mail: Mail, kind: str) -> str:
    if mail.report is not None:
        text = "\n".join(part for part in (mail.report.diagnostic, mail.text) if part)
    elif mail.forwarded is not None:
        text = mail.forwarded.text
    else:
        text = strip_history(mail.text)
    return text[:MAX_TEXT]


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
    flag_undeliverable(message.recipient, f"{reply.status_code or ''} {diagnostic}".strip() or "bounce", now)
    if letter is not None and letter.status != BOUNCED:
        letter.status = BOUNCED
        if message.kind == LETTER and message.supporter_email:
            notify_supporter(message)


def assign(reply: Reply, letter: Letter, now: datetime) -> None:
    """An organiser links a reply to a letter: it counts for that letter from now on."""
    message = db.session.get(OutboxMessage, letter.outbox_message_id) if letter.outbox_message_id else None
    _link(reply, matching.Match(letter, message, letter.member_id, letter.campaign_id, BY_HAND))
    reply.matched_by = BY_HAND
    reply.handled, reply.raw = True, None
    kind_changed(reply, now)


def kind_changed(reply: Reply, now: datetime) -> None:
    """A bounce an organiser recognised (or linked) has the effects of one recognised on arrival."""
    if reply.kind != BOUNCE or reply.outbox_message_id is None:
        return
    message = db.session.get(OutboxMessage, reply.outbox_message_id)
    letter = db.session.get(Letter, reply.letter_id) if reply.letter_id else None
    if message is not None:
        bounced(message, letter, reply.error or "", reply, now)
