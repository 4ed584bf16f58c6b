"""Reading an incoming e-mail: who sent it and to which address, what it answers, whether it is a delivery
report (RFC 3464) or an automatic reply (RFC 3834 and what Exchange and others do), and its text."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string, policy
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from outreach.replies import text as texts

MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{3,250}>")  # printable ASCII, as RFC 5322 allows
STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# In a bounce written as text, a status code counts only after an SMTP reply code or "Status:" (not in an address).
TEXT_STATUS = re.compile(r"(?:\b[245]\d\d[ -]|status:\s*)([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])", re.IGNORECASE)
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Forwarded-To")
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|doorst|wg|tr)\s*:", re.IGNORECASE)


class NotAnEmail(ValueError):
    """The bytes are not an e-mail message anyone could read."""


@dataclass
class DeliveryReport:
    """What a delivery status notification says: the worst status among its recipients, and about which message."""

    status: str | None  # "5.1.1"
    diagnostic: str
    original_ids: list[str]


@dataclass
class Forwarded:
    """A message a supporter forwarded (inline or attached): who wrote it, what it answered, and its text."""

    from_address: str | None
    from_name: str | None
    references: list[str]
    text: str


@dataclass
class Mail:
    references: list[str]  # Message-IDs from In-Reply-To and References, nearest first
    from_address: str | None
    from_name: str | None
    recipients: list[str]
    subject: str
    date: datetime | None
    text: str  # the body as text (HTML made plain), quoted history still in
    automatic_headers: dict[str, str] = field(default_factory=dict)
    report: DeliveryReport | None = None
    forwarded: Forwarded | None = None


def parse(raw: bytes) -> Mail:
    """Read one message; NotAnEmail when it has none of what every e-mail has."""
    message = message_from_bytes(raw, policy=policy.default)
    if not any(header(message, name) for name in ("From", "Date", "Subject", "Message-ID")):
        raise NotAnEmail("no From, Date, Subject or Message-ID header")
    from_name, from_address = sender(message)
    subject = header(message, "Subject")
    mail = Mail(
        references=thread_ids(message),
        from_address=from_address,
        from_name=from_name,
        recipients=[address.lower() for name in RECIPIENT_HEADERS for address in addresses(message, name)],
        subject=subject,
        date=_date(header(message, "Date")),
        text=body_text(message),
        automatic_headers={
            name: header(message, name)
            for name in ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "Precedence")
            if header(message, name)
        },
    )
    mail.report = delivery_report(message)
    if mail.report is None and (from_address or "").partition("@")[0] in ("mailer-daemon", "postmaster"):
        mail.report = _bounce_in_text(message, mail.text)
    if mail.report is None:
        mail.forwarded = forwarded(message, mail.text, subject)
    return mail


def header(message: Message, name: str) -> str:
    """A header's value on one line, or "" (also when it is too broken to read)."""
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a header the parser cannot make sense of reads as absent, never stops the message
        return ""


def addresses(message: Message, name: str) -> list[str]:
    return [address for _name, address in getaddresses([header(message, name)]) if "@" in address]


def sender(message: Message) -> tuple[str | None, str | None]:
    name, address = parseaddr(header(message, "From"))
    return (name or None), (address.lower() if "@" in address else None)


def first_id(value: str) -> str | None:
    found = MESSAGE_ID.search(value)
    return found.group(0) if found else None


def thread_ids(message: Message) -> list[str]:
    """The Message-IDs this message answers: In-Reply-To first, then References from the newest back."""
    ids = MESSAGE_ID.findall(header(message, "In-Reply-To"))
    ids += reversed(MESSAGE_ID.findall(header(message, "References")))
    return list(dict.fromkeys(ids))


def _date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # the year 9999 in a far time zone
            return None
    return moment


def _is_attachment(part: Message) -> bool:
    return (part.get_content_disposition() or "") == "attachment"


def body_text(message: Message) -> str:
    """The message's own text (not that of attached messages): its plain part, else its HTML made plain."""
    plain = html = None
    for part in _own_parts(message):
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None and not _is_attachment(part):
            plain = texts.decode_part(part)
        elif content_type == "text/html" and html is None and not _is_attachment(part):
            html = texts.decode_part(part)
    if plain is not None and plain.strip():
        return texts.tidy(plain)
    if html is not None:
        return texts.html_to_text(html)
    return texts.tidy(plain or "")


def _own_parts(message: Message):
    """Every leaf part of the message, not descending into attached messages."""
    if message.is_multipart():
        for part in message.get_payload():
            if isinstance(part, Message) and part.get_content_type() not in ("message/rfc822", "message/global"):
                yield from _own_parts(part)
    else:
        yield message


def attached_messages(message: Message) -> list[Message]:
    found = []
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                found.append(payload[0])
        elif part.get_content_type() == "text/rfc822-headers":
            found.append(message_from_string(texts.decode_part(part), policy=policy.default))
    return found


def delivery_report(message: Message) -> DeliveryReport | None:
    """An RFC 3464 delivery status notification's worst per-recipient status, or None when it is not one."""
    if message.get_content_type() != "multipart/report":
        return None
    status_part = next((p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        return None
    blocks = status_part.get_payload()
    if not isinstance(blocks, list):
        blocks = [message_from_string(str(blocks), policy=policy.default)]
    worst: tuple[str | None, str] = (None, "")
    for block in blocks:
        if not isinstance(block, Message):
            continue
        found = STATUS_CODE.search(header(block, "Status"))
        status = ".".join(found.groups()) if found else None
        if status and (worst[0] is None or status[0] > worst[0][0]):
            worst = (status, header(block, "Diagnostic-Code"))
    return DeliveryReport(worst[0], worst[1][:500], _original_ids(message))


def _bounce_in_text(message: Message, text: str) -> DeliveryReport:
    """A bounce that is not a proper report (some servers still send those): a status code and the original's
    Message-ID, where its text gives them."""
    codes = sorted(TEXT_STATUS.findall(text), key=lambda code: code[0], reverse=True)
    quoted = re.findall(rf"message-id:\s*({MESSAGE_ID.pattern})", text, re.IGNORECASE)
    return DeliveryReport(
        ".".join(codes[0]) if codes else None, "", list(dict.fromkeys(_original_ids(message) + quoted))
    )


def _original_ids(message: Message) -> list[str]:
    """The Message-IDs of the messages a report returns (attached whole, or their headers only)."""
    found = [first_id(header(original, "Message-ID")) for original in attached_messages(message)]
    return [message_id for message_id in found if message_id]


def forwarded(message: Message, text: str, subject: str) -> Forwarded | None:
    """The answer a supporter forwarded: an attached message, or one forwarded inline under a marker line."""
    for original in attached_messages(message):
        name, address = sender(original)
        if address:
            return Forwarded(address, name, thread_ids(original), texts.strip_history(body_text(original)))
    if not FORWARD_SUBJECT.match(subject) and not any(texts.FORWARD_MARKERS.match(line) for line in text.split("\n")):
        return None
    inline = texts.forwarded_part(text)
    if inline is None:
        return None
    headers, body = inline
    name, address = parseaddr(headers["from"])
    if "@" not in address:
        # "Van: Jan Jansen" without an address, as Outlook writes it: the name is all there is.
        name, address = headers["from"], ""
    return Forwarded(address.lower() or None, name or None, [], texts.strip_history(body))
