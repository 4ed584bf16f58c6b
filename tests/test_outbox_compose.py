"""How letters and other e-mail are addressed and built: headers exactly as intended, nothing injected, DKIM."""

import subprocess
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

import dkim
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.compose import Campaign, Recipient, Supporter, UnsafeHeader, build, enqueue, enqueue_letter
from outreach.outbox.models import NOTICE
from outreach.validation import has_control_characters
from tests.builders import letter

INTENDED = {
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "Reply-To",
}


def decoded(value: str) -> str:
    return str(make_header(decode_header(value)))


def addresses(mail, header: str) -> list[tuple[str, str]]:
    """(name, address) pairs of a header, each name decoded after the addresses are split (names may hold commas)."""
    return [(decoded(name), address) for name, address in getaddresses(mail.get_all(header, []))]


def parsed(message) -> object:
    return BytesParser(policy=policy.default).parsebytes(build(message).as_bytes())


def test_a_letter_comes_from_the_campaign_domain_in_the_supporters_name_and_replies_go_to_the_supporter(
    app: Flask, directory: dict[str, int]
) -> None:
    with app.app_context():
        to = db.session.get(Member, directory["yesilgoz"])
        message = letter(to)
        mail = parsed(message)
        assert mail["From"].addresses[0].display_name == "Supporter 1 via Khojaly herdenken"
        assert mail["From"].addresses[0].addr_spec == "letters@outreach.localhost"
        assert [a.addr_spec for a in mail["Reply-To"].addresses] == ["supporter1@example.org"]
        assert mail["To"].addresses[0].addr_spec == "d.yesilgoz@tweedekamer.example"
        assert mail["Message-ID"] == message.message_id
        assert mail.get_content_type() == "text/plain" and not mail.is_multipart()
        text = mail.get_content()
        assert text.startswith("Geachte mevrouw Yeşilgöz,")
        assert "Supporter 1 (Utrecht)" in text and "http://127.0.0.1:5000/campaigns/khojaly" in text
        assert "bevestigd" in text  # the sender confirmed their address (the letter is in Dutch)
        opt_out = next(line for line in text.splitlines() if "/opt-out/" in line)
        assert opt_out.split()[-1].startswith("http://127.0.0.1:5000/opt-out/")
        assert set(mail.keys()) == INTENDED


def test_the_tracking_address_joins_the_supporter_in_reply_to(app: Flask, directory: dict[str, int]) -> None:
    with app.app_context():
        to = db.session.get(Member, directory["yesilgoz"])
        message = letter(to, tracking_address="replies+abc@campaign.example")
        addresses = [a.addr_spec for a in parsed(message)["Reply-To"].addresses]
        assert addresses == ["supporter1@example.org", "replies+abc@campaign.example"]


def test_the_message_id_is_fixed_when_queued_and_the_same_on_every_build(app: Flask) -> None:
    with app.app_context():
        message = enqueue(NOTICE, Recipient("Ann", "ann@example.org"), "Hallo", "Tekst")
        first, second = build(message).as_bytes(), build(message).as_bytes()
        assert message_from_bytes(first)["Message-ID"] == message_from_bytes(second)["Message-ID"]
        assert message.message_id.endswith("@outreach.localhost>")


@pytest.mark.parametrize(
    "evil",
    [
        "Jan\r\nBcc: victim@example.org",
        "Jan\nX: y",
        "Jan\r\n\r\nbody",
        "Jan\x00",
        "Jan\u2028Bcc: v@example.org",
        "Jan\x85",
    ],
)
def test_line_breaks_and_control_characters_never_reach_a_header(app: Flask, evil: str) -> None:
    with app.app_context():
        with pytest.raises(UnsafeHeader):
            enqueue(NOTICE, Recipient(evil, "ann@example.org"), "Hallo", "Tekst")
        with pytest.raises(UnsafeHeader):
            enqueue(NOTICE, Recipient("Ann", "ann@example.org"), evil, "Tekst")
        with pytest.raises(UnsafeHeader):
            enqueue_letter(
                Recipient("Ann", "ann@example.org"),
                Supporter(evil, "s@example.org"),
                Campaign(1, "C", "http://x.example"),
                "S",
                "B",
            )
        with pytest.raises(UnsafeHeader):
            enqueue(NOTICE, Recipient("Ann", "ann@example.org\r\nBcc: v@example.org"), "Hallo", "Tekst")
        db.session.rollback()


header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=header_text, subject=header_text, body=st.text(max_size=500), campaign=header_text)
def test_every_built_letter_parses_back_with_exactly_the_intended_headers(
    app: Flask, name: str, subject: str, body: str, campaign: str
) -> None:
    with app.app_context():
        values = (name, subject, campaign)
        if any(has_control_characters(v) for v in values) or not subject.split():
            with pytest.raises(UnsafeHeader):
                enqueue_letter(
                    Recipient("Kamerlid", "mp@tweedekamer.example"),
                    Supporter(name, "s@example.org"),
                    Campaign(1, campaign, "http://x.example"),
                    subject,
                    body,
                )
            return
        message = enqueue_letter(
            Recipient("Kamerlid", "mp@tweedekamer.example"),
            Supporter(name, "s@example.org"),
            Campaign(1, campaign, "http://x.example"),
            subject,
            body,
        )
        mail = message_from_bytes(build(message).as_bytes())  # decoded the RFC 2047 way, as mail programs do
        assert set(mail.keys()) == INTENDED
        assert addresses(mail, "To") == [("Kamerlid", "mp@tweedekamer.example")]
        assert addresses(mail, "From") == [(" ".join(f"{name} via {campaign}".split()), "letters@outreach.localhost")]
        assert addresses(mail, "Reply-To") == [(" ".join(name.split()), "s@example.org")]
        assert decoded(mail["Subject"]) == " ".join(subject.split())
        db.session.rollback()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_the_envelope_sender_is_a_per_message_bounce_address_when_one_is_configured(app: Flask) -> None:
    app.config["BOUNCE_ADDRESS"] = "bounces@campaign.example"
    with app.app_context():
        one = enqueue(NOTICE, Recipient(None, "a@example.org"), "S", "B")
        two = enqueue(NOTICE, Recipient(None, "b@example.org"), "S", "B")
        assert one.envelope_from == f"bounces+{one.bounce_token}@campaign.example"
        assert one.envelope_from != two.envelope_from


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    folder = tmp_path_factory.mktemp("dkim")
    private, public = folder / "private.pem", folder / "public.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-out", str(public)], check=True, capture_output=True
    )
    der = "".join(line for line in public.read_text().splitlines() if "-----" not in line)
    return str(private), f"v=DKIM1; k=rsa; p={der}".encode()


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_messages_are_dkim_signed_when_a_key_is_configured(app: Flask, dkim_key: tuple[str, bytes]) -> None:
    private, record = dkim_key
    app.config.update(DKIM_PRIVATE_KEY=Path(private).read_text(), DKIM_DOMAIN="outreach.localhost", DKIM_SELECTOR="s1")
    with app.app_context():
        raw = build(enqueue(NOTICE, Recipient("Ann", "ann@example.org"), "Hallo Ünïcode", "Tekst")).as_bytes()
    assert raw.startswith(b"DKIM-Signature:")
    dns = {b"s1._domainkey.outreach.localhost.": record}
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: dns.get(name))
    assert not dkim.verify(raw.replace(b"Tekst", b"Tekst!"), dnsfunc=lambda name, timeout=5: dns.get(name))
