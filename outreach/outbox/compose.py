"""Putting e-mail into the outbox, and turning an outbox row into the exact message the mail server receives.

Everything that can reach a header is checked for line breaks and control characters before a row is written
(`UnsafeHeader`); the message is built with Flask-Mail, with the row's own Message-ID, its text in quoted-printable
UTF-8 (`text_part`), and signed with DKIM when a key is configured.
"""

import binascii
import re
import secrets
import uuid
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import getaddresses, parseaddr

from flask import current_app
from flask_mail import Message

from outreach.database import utcnow
from outreach.directory.delivery import opt_out_token
from outreach.extensions import db
from outreach.organisation.settings import load as load_organisation
from outreach.organisation.settings import signature as organisation_signature
from outreach.outbox import states
from outreach.outbox.mailtext import render_email, render_part
from outreach.outbox.models import LETTER, PRIORITY, TO_MEMBERS, OutboxMessage
from outreach.urls import public_url
from outreach.validation import has_control_characters, is_email, needs_smtputf8, wire_address

# Headers that DKIM signs: what a reader sees and what identifies the message.
SIGNED_HEADERS = [b"from", b"to", b"reply-to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]


SMTP_AS_ENCODED = policy.compat32.clone(linesep="\r\n")

# The text of every message goes out in UTF-8 written as quoted-printable (`text_part`). Flask-Mail registers UTF-8
# with no body encoding, so a text with any non-ASCII letter went out as "8bit" and an ASCII one as "7bit", both as
# typed: a paragraph longer than 998 octets was one line over RFC 5322's limit, which standard servers refuse ("500
# Line too long"). Quoted-printable breaks long lines with soft breaks that every mail program joins again, so the
# reader sees the supporter's paragraphs exactly, and keeps the body 7-bit, so no relay re-encodes it and breaks the
# DKIM signature. format=flowed was the other choice: Outlook ignores it (the reader would see hard-wrapped lines),
# it gives trailing spaces a meaning of their own, and its non-ASCII text would still travel as 8bit.
_LINE_END = re.compile(r"\r\n?")


class UnsafeHeader(ValueError):
    """A value meant for a mail header holds a line break or control character, or is not a usable address."""


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to; `member_id` for members of the House (held when they left or opted out)."""

    name: str | None
    address: str
    member_id: int | None = None


@dataclass(frozen=True)
class Supporter:
    """The person a letter is written by: named in From, answers go to them, told when a letter fails."""

    name: str
    email: str
    place: str | None = None  # city or 4-digit postcode, shown under the letter
    language: str | None = None  # the language the supporter reads our e-mails in (their pages' language)


@dataclass(frozen=True)
class Campaign:
    """What the outbox needs to know of the campaign a letter belongs to."""

    id: int
    title: str
    url: str
    contact: str | None = None
    daily_cap: int | None = None  # letters per MP per day from this campaign; the rest waits for the next day


def enqueue(
    kind: str,
    to: Recipient,
    subject: str,
    body: str,
    *,
    language: str = "nl",
    sender: str | None = None,
    reply_to: list[tuple[str, str]] | None = None,
    campaign_id: int | None = None,
    supporter: Supporter | None = None,
    daily_cap: int | None = None,
    token: str | None = None,
) -> OutboxMessage:
    """Queue one e-mail (the caller commits, in the same transaction as whatever the e-mail is about)."""
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    # A supporter sees who writes to them; a letter or digest to a member has its own footer.
    if kind not in TO_MEMBERS and (lines := organisation_signature()):
        body = body.rstrip() + "\n\n" + lines
    if not subject.split():
        raise UnsafeHeader("every message needs a subject")
    _check_address(to.address)
    for value in (to.name or "", subject, sender, *(part for pair in reply_to or [] for part in pair)):
        _check_header_text(value)
    for _name, address in reply_to or []:
        _check_address(address)
    now = utcnow()
    token = token or new_token()
    message = OutboxMessage(
        kind=kind,
        priority=PRIORITY.get(kind, max(PRIORITY.values())),
        status=states.QUEUED,
        message_id=f"<{uuid.uuid4().hex}@{_message_id_domain()}>",
        bounce_token=token,
        language=language,
        sender=sender,
        recipient=to.address,
        recipient_name=_tidy(to.name) if to.name else None,
        reply_to=", ".join(format_address(name, address) for name, address in reply_to) if reply_to else None,
        envelope_from=_envelope_from(sender, token),
        subject=_tidy(subject),
        body=body,
        campaign_id=campaign_id,
        member_id=to.member_id,
        supporter_email=supporter.email if supporter else None,
        supporter_name=supporter.name if supporter else None,
        supporter_language=supporter.language if supporter else None,
        daily_cap=daily_cap,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    return message


def enqueue_letter(
    to: Recipient,
    supporter: Supporter,
    campaign: Campaign,
    subject: str,
    body: str,
    *,
    language: str = "nl",
    tracking_address: str | None = None,
) -> OutboxMessage:
    """Queue a supporter's letter to one MP: From "<name> via <campaign>" at the campaign's letters address,
    Reply-To the supporter and, when replies are tracked, this letter's own reply address (and the campaign's
    tracking address), and a footer saying who sent it and how the MP's office can opt out."""
    # Checked before they are tidied into one line below, which would hide a line break rather than refuse it.
    _check_header_text(supporter.name)
    _check_header_text(campaign.title)
    sender = format_address(_tidy(f"{supporter.name} via {campaign.title}"), current_app.config["LETTERS_FROM"])
    token = new_token()
    reply_to = [(_tidy(supporter.name), supporter.email)]
    reply_address = plus_address(current_app.config.get("REPLY_ADDRESS"), token)
    if reply_address:
        reply_to.append(("", reply_address))
    if tracking_address:
        reply_to.append((_tidy(campaign.title), tracking_address))
    return enqueue(
        LETTER,
        to,
        subject,
        body.rstrip() + "\n\n" + letter_footer(to, supporter, campaign, language),
        language=language,
        sender=sender,
        reply_to=reply_to,
        campaign_id=campaign.id,
        supporter=supporter,
        daily_cap=campaign.daily_cap,
        token=token,
    )


def new_token() -> str:
    """A message's own token, in its bounce address and its reply address: 80 random bits in lower-case hex, which
    survives mail systems that change the case of addresses and says nothing about the message or its writer."""
    return secrets.token_hex(10)


def plus_address(configured: str | None, token: str) -> str | None:
    """local+<token>@domain for a configured address (OUTREACH_BOUNCE_ADDRESS, OUTREACH_REPLY_ADDRESS), or None."""
    if not configured:
        return None
    local, _, domain = configured.partition("@")
    return f"{local}+{token}@{domain}"


def letter_footer(to: Recipient, supporter: Supporter, campaign: Campaign, language: str) -> str:
    """The lines under every letter: who sent it via which campaign, that the address was confirmed, how to stop."""
    return render_email(
        "letter_footer",
        language,
        who=f"{supporter.name} ({supporter.place})" if supporter.place else supporter.name,
        campaign=campaign.title,
        url=campaign.url,
        name=supporter.name,
        **_campaign_values(to, campaign),
    ).body


def campaign_lines(to: Recipient, campaign: Campaign, language: str) -> list[str]:
    """The footer lines of every letter and digest to a member: how their office stops them, who runs the campaign
    and whom to ask about it (the letter footer's `campaign_lines` block)."""
    return render_part("letter_footer", "campaign_lines", language, **_campaign_values(to, campaign)).splitlines()


def _campaign_values(to: Recipient, campaign: Campaign) -> dict[str, str | None]:
    organisation = load_organisation()
    return {
        "opt_out_link": public_url("directory.opt_out", token=opt_out_token(to.member_id))
        if to.member_id is not None
        else None,
        "organisation": organisation.name,
        "contact": campaign.contact or organisation.email,
    }


def format_address(name: str | None, address: str) -> str:
    """'"Jan Jansen via Campagne" <brieven@campagne.nl>': the name quoted, not yet encoded. Flask-Mail encodes it
    for the header (RFC 2047, in words of legal length) when it builds the message."""
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def build(message: OutboxMessage) -> Message:
    """The Flask-Mail message for an outbox row, the same on every attempt (Message-ID and Date fixed); sent with
    SMTPUTF8 when an address in it has letters such as ü before the @."""
    mail = OutboxMail(
        subject=message.subject,
        recipients=[wire_address(message.recipient)],
        body=message.body,
        sender=message.sender,
        date=message.created_at.timestamp(),
    )
    mail.msgId = message.message_id
    mail.to_header = header_address(message.recipient_name, message.recipient)
    reply_to = getaddresses([message.reply_to]) if message.reply_to else []
    if reply_to:  # Flask-Mail takes one Reply-To address; a letter may carry two
        mail.reply_to_header = ", ".join(header_address(name, address) for name, address in reply_to)
    if any(needs_smtputf8(address) for address in [message.recipient, *(address for _, address in reply_to)]):
        mail.mail_options = ["SMTPUTF8"]
    return mail


def header_address(name: str | None, address: str) -> str:
    """An address for the To or Reply-To header: the name in RFC 2047 words as Flask-Mail writes it, the domain in
    IDNA, and the part before the @ as it is (only ever non-ASCII in a message sent with SMTPUTF8, RFC 6532)."""
    wire = wire_address(address)
    return f"{Header(name, 'utf-8').encode()} <{wire}>" if name else wire


class OutboxMail(Message):
    """A Flask-Mail message written out exactly as Flask-Mail encoded it, and signed with DKIM when the
    application has a key configured.

    Flask-Mail encodes names and subjects into RFC 2047 words itself, then hands the message to Python's SMTP
    policy, which decodes and refolds them, and loses or adds spaces in long non-ASCII names on the way. Written
    with the compat32 policy (CRLF line ends), the encoded words go out as encoded. The text goes out in
    quoted-printable (`text_part`), whatever its length and letters.

    To and Reply-To are written here rather than by Flask-Mail, which cannot write an address with a non-ASCII part
    before the @; and a subject that itself looks like an encoded word is encoded, so that a mail program shows
    the text the supporter typed instead of decoding it.
    """

    to_header = ""
    reply_to_header: str | None = None

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMENonMultipart:
        return text_part(text or "", subtype)

    def _message(self):
        recipients, self.recipients = self.recipients, []
        try:
            message = super()._message()
        finally:
            self.recipients = recipients
        message.policy = SMTP_AS_ENCODED  # first: headers set under Flask-Mail's policy would be decoded again
        message.replace_header("To", _raw(self.to_header))
        if self.reply_to_header:
            message["Reply-To"] = _raw(self.reply_to_header)
        if self.subject and "=?" in self.subject:
            message.replace_header("Subject", Header(self.subject, "utf-8").encode())
        return message

    def as_bytes(self) -> bytes:
        raw = super().as_bytes()
        config = current_app.config
        if not config.get("DKIM_PRIVATE_KEY"):
            return raw
        import dkim  # here: only a configured key signs, and most processes never sign

        signature = dkim.sign(
            raw,
            selector=config["DKIM_SELECTOR"].encode(),
            domain=config["DKIM_DOMAIN"].encode(),
            privkey=config["DKIM_PRIVATE_KEY"].encode(),
            include_headers=SIGNED_HEADERS,
        )
        return signature + raw


def _raw(value: str) -> str:
    """A header value the compat32 generator writes out byte for byte: UTF-8 for the non-ASCII addresses of an
    SMTPUTF8 message, where it would otherwise turn the whole address into one encoded word no server can use."""
    return value if value.isascii() else value.encode("utf-8").decode("ascii", "surrogateescape")


def text_part(text: str, subtype: str = "plain") -> MIMENonMultipart:
    """The text of a message as its MIME part: UTF-8 in quoted-printable, every line end as the mail's own, in lines
    of at most 76 characters that the reader's mail program joins back into the lines that were written."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    # binascii's encoder (the one `quopri` uses) takes a tenth of the time of the email package's pure-Python one.
    # CRLF and a lone CR become LF first, the one line end the encoder knows; the message is written with CRLF.
    part.set_payload(binascii.b2a_qp(_LINE_END.sub("\n", text).encode("utf-8"), istext=True).decode("ascii"))
    return part


def _check_header_text(value: str) -> None:
    if has_control_characters(value):
        raise UnsafeHeader(f"line break or control character in a header value: {value[:40]!r}")


def _tidy(value: str) -> str:
    """One line with single spaces, as a mail client shows a header anyway (checked for control characters first)."""
    return " ".join(value.split())


def _check_address(address: str) -> None:
    _check_header_text(address)
    if not is_email(address, typed=False):
        raise UnsafeHeader(f"not an e-mail address: {address[:60]!r}")


def _message_id_domain() -> str:
    return current_app.config.get("MESSAGE_ID_DOMAIN") or current_app.config["LETTERS_FROM"].rpartition("@")[2]


def _envelope_from(sender: str, token: str) -> str:
    """A per-message bounce address (VERP: bounces+<token>@domain) when one is configured, so a bounce that comes
    back later finds its message; otherwise the From address."""
    return plus_address(current_app.config.get("BOUNCE_ADDRESS"), token) or parseaddr(sender)[1]
