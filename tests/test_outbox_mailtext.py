"""Whatever a supporter types, every message goes out as standard mail (RFC 5322/2045) and reads back as typed.

"The same text" here: the same characters, with every line end (CRLF, CR or LF) read as LF, as every mail program
reads a message (lines in mail end in CRLF; a lone CR or LF is not a line end a message may carry); on the wire the
text also ends with a line end, which SMTP adds to a message that has none (`as_delivered`).
"""

from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.compose import Campaign, Recipient, Supporter, UnsafeHeader, build, enqueue_letter
from outreach.outbox.models import NOTICE, OutboxMessage
from outreach.outbox.worker import Worker
from outreach.validation import has_control_characters
from tests.smtpserver import SinkServer

MOST_OCTETS_A_LINE = 998  # RFC 5322 2.1.1, without the CRLF

# Words a supporter from the Dutch-Azerbaijani community might write, and a few that test the encoding itself.
WORDS = ["Xocalı", "Ağdam", "Məmmədova", "şəhid", "één", "geïnformeerd", "Bakı", "=3D", "=", "From", ".", "\t", "€"]


def same_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def as_delivered(text: str) -> str:
    text = same_text(text)
    return text if text.endswith("\n") else text + "\n"


def paragraph(length: int) -> str:
    """One paragraph of `length` characters without a line break, as a supporter writes on a phone."""
    text, n = "", 0
    while len(text) < length:
        text += WORDS[n % len(WORDS)] + " " + "bloedbad herdenken erkenning " * (n % 3)
        n += 1
    return text[:length].rstrip() + "."


def decoded(value: str) -> str:
    return str(make_header(decode_header(value)))


def names(mail: Message, header: str) -> list[str]:
    return [decoded(name) for name, _address in getaddresses(mail.get_all(header, []))]


def lines_of(raw: bytes) -> list[bytes]:
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF"
    return raw.split(b"\r\n")


def body_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[1]


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RATE": 0,
        "OUTBOX_POLL_SECONDS": 0.01,
    }


def drain() -> None:
    Worker(clock=lambda: datetime(2030, 1, 7, 10, 0)).run(once=True)  # a Monday morning in Amsterdam


def queue_letter(to: Member, body: str) -> OutboxMessage:
    message = enqueue_letter(
        Recipient(to.name, to.effective_email, to.id),
        Supporter("Aysel Məmmədova", "aysel@example.org", "Utrecht"),
        Campaign(1, "Khojaly herdenken", "http://127.0.0.1:5000/campaigns/khojaly"),
        "Erkenning van Khojaly",
        body,
    )
    db.session.commit()
    return message


def test_a_letter_with_a_5000_character_paragraph_arrives_as_written_in_lines_of_legal_length(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    long = paragraph(5000)
    with app.app_context():
        to = db.session.get(Member, directory["yesilgoz"])
        message = queue_letter(to, f"{to.salutation}\r\n\r\n{long}\r\n\r\nMet vriendelijke groet,\r\nAysel Məmmədova")
        drain()
        db.session.expire_all()
        assert message.status == "sent"
        [delivery] = server.sink.delivered
        assert max(len(line) for line in lines_of(delivery.raw)) <= MOST_OCTETS_A_LINE
        mail = message_from_bytes(delivery.raw, policy=policy.default)
        text = same_text(mail.get_content())
        assert text == as_delivered(message.body)
        assert long in text.split("\n")  # the paragraph reads as one paragraph, not broken into lines
        assert text.startswith("Geachte mevrouw Yeşilgöz,\n\n")


def test_the_supporter_is_told_of_a_refused_letter_with_a_long_paragraph_in_a_notice_that_arrives(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    long = paragraph(1200)
    server.sink.refuse_rcpt["d.yesilgoz@tweedekamer.example"] = "550 5.1.1 No such user"
    with app.app_context():
        to = db.session.get(Member, directory["yesilgoz"])
        queue_letter(to, f"{to.salutation}\n\n{long}\n\nMet vriendelijke groet,\nAysel Məmmədova")
        drain()
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).one()
        assert notice.status == "sent" and notice.recipient == "aysel@example.org"
        [delivery] = server.sink.delivered
        assert max(len(line) for line in lines_of(delivery.raw)) <= MOST_OCTETS_A_LINE
        text = same_text(message_from_bytes(delivery.raw, policy=policy.default).get_content())
        assert text == as_delivered(notice.body) and long in text.split("\n")  # the copy of the letter, whole


def test_the_body_travels_in_7_bit_so_a_relay_cannot_re_encode_it_and_break_the_signature(app: Flask) -> None:
    with app.app_context():
        message = enqueue_letter(
            Recipient("Kamerlid", "mp@tweedekamer.example"),
            Supporter("Aysel Məmmədova", "aysel@example.org"),
            Campaign(1, "Khojaly herdenken", "http://x.example"),
            "Erkenning",
            "Xocalı, 26 februari 1992 — één dag om te herdenken.",
        )
        raw = build(message).as_bytes()
        mail = message_from_bytes(raw, policy=policy.default)
        assert mail["Content-Transfer-Encoding"] == "quoted-printable"
        assert mail.get_content_charset() == "utf-8"
        assert body_of(raw).isascii()
        db.session.rollback()


def long_paragraph() -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS) | st.text(min_size=1, max_size=12)
    return st.lists(word, min_size=100, max_size=600).map(" ".join)


body_text = st.lists(st.text() | long_paragraph(), max_size=4).flatmap(
    lambda parts: st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\r"]).map(lambda end: end.join(parts))
)
header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=120)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=header_text, subject=header_text, body=body_text)
def test_every_letter_parses_back_to_the_same_name_subject_and_text_in_lines_of_legal_length(
    app: Flask, name: str, subject: str, body: str
) -> None:
    with app.app_context():
        if has_control_characters(name) or has_control_characters(subject) or not subject.split():
            with pytest.raises(UnsafeHeader):
                queue_letter_to_anyone(name, subject, body)
            return
        message = queue_letter_to_anyone(name, subject, body)
        raw = build(message).as_bytes()
        assert max(len(line) for line in lines_of(raw)) <= MOST_OCTETS_A_LINE
        assert body_of(raw).isascii()
        mail = message_from_bytes(raw, policy=policy.default)
        text = same_text(mail.get_content())
        assert text == same_text(message.body)
        assert text.startswith(same_text(body.rstrip()))
        # Names and subjects decoded the RFC 2047 way, as mail programs do: Python's modern parser puts a space
        # between adjacent encoded words (python/cpython#128110), which RFC 2047 6.2 says to drop.
        headers = message_from_bytes(raw)
        assert decoded(headers["Subject"]) == " ".join(subject.split())
        assert names(headers, "From") == [" ".join(f"{name} via Khojaly herdenken".split())]
        assert names(headers, "Reply-To") == [" ".join(name.split())]
        db.session.rollback()


def queue_letter_to_anyone(name: str, subject: str, body: str) -> OutboxMessage:
    return enqueue_letter(
        Recipient("Kamerlid", "mp@tweedekamer.example"),
        Supporter(name, "supporter@example.org", "Utrecht"),
        Campaign(1, "Khojaly herdenken", "http://x.example"),
        subject,
        body,
    )
