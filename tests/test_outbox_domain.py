"""The own-domain check against a real DNS server on loopback: a correct domain, a missing DMARC record, an SPF that
does not allow the relay, a DKIM key that does not match; SPF evaluated as receivers do; the page, the command and
the test message through the outbox."""

from collections.abc import Iterator
from email import message_from_bytes
from email.utils import parseaddr
from pathlib import Path

import dkim
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from outreach.accounts.models import AuditEntry
from outreach.extensions import db
from outreach.outbox import domain
from outreach.outbox.dkimkey import public_key_record
from outreach.outbox.models import OutboxMessage
from outreach.outbox.worker import Worker
from tests.dnsserver import LocalDns
from tests.smtpserver import SinkServer

KEYS = Path(__file__).parent / "fixtures" / "dkim"
KEY = (KEYS / "outreach.pem").read_text()
OTHER_KEY = (KEYS / "other.pem").read_text()
RELAY = "192.0.2.10"


@pytest.fixture
def local_dns() -> Iterator[LocalDns]:
    with LocalDns() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SinkServer]:
    with SinkServer() as server:
        yield server


@pytest.fixture
def app_config(local_dns: LocalDns, smtp: SinkServer) -> dict[str, object]:
    return {
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RATE": 0,
        "DNS_RESOLVER": local_dns.address,
        "DNS_TIMEOUT": 2,
        "LETTERS_FROM": "brieven@campagne.example",
        "BOUNCE_ADDRESS": "bounces@campagne.example",
        "OUTBOX_RELAY_IPS": RELAY,
        "DKIM_PRIVATE_KEY": KEY,
        "DKIM_SELECTOR": "outreach",
        "DKIM_DOMAIN": "campagne.example",
    }


def publish_correct_domain(zone) -> None:
    """campagne.example as an organiser would set it up with a mail provider."""
    zone.add("campagne.example", "TXT", "v=spf1 include:_spf.provider.example -all")
    zone.add("campagne.example", "TXT", "google-site-verification=abc")  # other TXT records are no SPF
    zone.add("_spf.provider.example", "TXT", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all")
    zone.add("outreach._domainkey.campagne.example", "TXT", public_key_record(KEY)[0])
    zone.add("_dmarc.campagne.example", "TXT", "v=DMARC1; p=quarantine; rua=mailto:dmarc@campagne.example")


def findings(app: Flask, severity: str | None = None, topic: str | None = None) -> list[domain.Finding]:
    with app.app_context(), force_locale("en"):
        report = domain.check()
    return [f for f in report.findings if (severity in (None, f.severity)) and (topic in (None, f.topic))]


def test_a_correctly_set_up_domain_passes_spf_dkim_and_dmarc(app: Flask, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    assert findings(app, domain.PROBLEM) == []
    texts = [f.text for f in findings(app, domain.OK)]
    assert "The SPF record of campagne.example allows the address your mail leaves from (1 of 10 DNS lookups)." in texts
    assert "The DKIM key at outreach._domainkey.campagne.example matches the key Outreach signs with." in texts
    assert "Letters pass DMARC through SPF + DKIM." in texts


def test_a_missing_dmarc_record_is_a_problem_with_the_record_to_publish(app: Flask, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    local_dns.zone.remove("_dmarc.campagne.example", "TXT")
    [problem] = findings(app, domain.PROBLEM)
    assert problem.topic == "dmarc"
    assert problem.text.startswith("campagne.example has no DMARC record")
    assert (problem.record_name, problem.record_value) == (
        "_dmarc.campagne.example",
        "v=DMARC1; p=none; adkim=r; aspf=r",
    )


def test_an_spf_record_without_the_relay_is_a_problem_with_the_corrected_record(
    app: Flask, local_dns: LocalDns
) -> None:
    publish_correct_domain(local_dns.zone)
    local_dns.zone.remove("campagne.example", "TXT")
    local_dns.zone.add("campagne.example", "TXT", "v=spf1 ip4:198.51.100.7 mx -all")
    [problem] = findings(app, domain.PROBLEM, "spf")
    assert "does not allow 192.0.2.10" in problem.text and "fail" in problem.text
    assert (problem.record_name, problem.record_value) == (
        "campagne.example",
        "v=spf1 ip4:192.0.2.10 ip4:198.51.100.7 mx -all",
    )
    # DKIM still carries DMARC, so letters pass; the check says so instead of crying wolf.
    assert "Letters pass DMARC through DKIM." in [f.text for f in findings(app, domain.OK)]


def test_a_dkim_key_that_does_not_match_is_a_problem_with_the_right_key(app: Flask, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    local_dns.zone.remove("outreach._domainkey.campagne.example", "TXT")
    local_dns.zone.add("outreach._domainkey.campagne.example", "TXT", public_key_record(OTHER_KEY)[0])
    [problem] = findings(app, domain.PROBLEM)
    assert problem.topic == "dkim" and "does not match the key Outreach signs with" in problem.text
    assert problem.record_value == public_key_record(KEY)[0]
    assert "Letters pass DMARC through SPF only, which fails when a message is forwarded." in [
        f.text for f in findings(app, domain.ADVICE)
    ]


def test_no_spf_no_dkim_key_and_no_dmarc_means_letters_fail_dmarc(app: Flask, local_dns: LocalDns) -> None:
    local_dns.zone.add("campagne.example", "A", "192.0.2.80")
    problems = {f.topic: f for f in findings(app, domain.PROBLEM)}
    assert problems["spf"].record_value == "v=spf1 ip4:192.0.2.10 -all"
    assert problems["dkim"].record_name == "outreach._domainkey.campagne.example"
    assert [f.text for f in findings(app, domain.PROBLEM, "dmarc")][-1].startswith("Letters would fail DMARC")


@pytest.mark.parametrize(
    ("records", "verdict"),
    [
        (
            {"campagne.example": "v=spf1 a:relay.provider.example/24 -all", "relay.provider.example/A": "192.0.2.99"},
            "ok",
        ),
        (
            {
                "campagne.example": "v=spf1 mx -all",
                "campagne.example/MX": "mx.provider.example",
                "mx.provider.example/A": RELAY,
            },
            "ok",
        ),
        (
            {
                "campagne.example": "v=spf1 redirect=_spf.provider.example",
                "_spf.provider.example": "v=spf1 ip4:192.0.2.10 -all",
            },
            "ok",
        ),
        (
            {
                "campagne.example": "v=spf1 exists:%{i}.allow.provider.example -all",
                "192.0.2.10.allow.provider.example/A": "127.0.0.2",
            },
            "ok",
        ),
        ({"campagne.example": "v=spf1 ip4:192.0.2.10 +all"}, "anyone"),
        ({"campagne.example": "v=spf1 ip6:2001:db8::/32 -all"}, "fail"),
        (
            {
                "campagne.example": "v=spf1 include:a0.example -all",
                **{f"a{i}.example": f"v=spf1 include:a{i + 1}.example" for i in range(11)},
            },
            "more than 10 DNS lookups",
        ),
        ({"campagne.example": "v=spf1 redirect=nowhere.example", "nowhere.example/A": "192.0.2.1"}, "no SPF"),
        ({"campagne.example": "v=spf1 ip4:192.0.2.10 -all", "campagne.example/TXT2": "v=spf1 -all"}, "more than one"),
    ],
)
def test_spf_is_evaluated_as_a_receiver_does(app: Flask, local_dns: LocalDns, records: dict, verdict: str) -> None:
    for key, value in records.items():
        name, _, kind = key.partition("/")
        local_dns.zone.add(name, (kind or "TXT").rstrip("2"), value)
    spf_findings = findings(app, topic="spf")
    problems = [f.text for f in spf_findings if f.severity == domain.PROBLEM]
    if verdict == "ok":
        assert problems == [] and spf_findings[0].severity == domain.OK
    elif verdict == "anyone":
        assert problems == ["The SPF record ends in “+all”: it allows every server on the internet."]
    elif verdict == "fail":
        assert "does not allow 192.0.2.10" in problems[0]
    else:
        assert verdict in problems[0]


def test_the_relay_is_found_by_its_name_and_a_soft_ending_is_advice(app: Flask, local_dns: LocalDns) -> None:
    app.config.update(OUTBOX_RELAY_IPS="", MAIL_SERVER="smtp.provider.example")
    local_dns.zone.add("smtp.provider.example", "A", RELAY)
    local_dns.zone.add("campagne.example", "TXT", "v=spf1 ip4:192.0.2.10 ~all")
    assert findings(app, domain.PROBLEM, "spf") == []
    assert findings(app, domain.OK, "relay")[0].text.startswith("Mail leaves from 192.0.2.10.")
    [advice] = findings(app, domain.ADVICE, "spf")
    assert advice.text == "The SPF record ends in “~all”: mail from other servers is only marked, not refused."


def test_a_local_relay_asks_for_its_public_address(app: Flask) -> None:
    app.config.update(OUTBOX_RELAY_IPS="", MAIL_SERVER="127.0.0.1")
    [relay] = findings(app, domain.PROBLEM, "relay")
    assert "local address (127.0.0.1)" in relay.text and "OUTREACH_OUTBOX_RELAY_IPS" in relay.fix


def test_dns_that_does_not_answer_is_reported_not_a_crash(app: Flask, organiser: FlaskClient) -> None:
    app.config.update(DNS_RESOLVER="127.0.0.1:9", DNS_TIMEOUT=0.2)
    organiser.set_cookie("lang", "en")
    response = organiser.get("/admin/outbox/domain")
    assert response.status_code == 200
    assert "DNS gave no answer for campagne.example" in response.text


def test_the_page_says_what_to_fix_in_dutch(app: Flask, organiser: FlaskClient, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    local_dns.zone.remove("_dmarc.campagne.example", "TXT")
    outbox = organiser.get("/admin/outbox/")
    assert 'href="/admin/outbox/domain"' in outbox.text
    page = organiser.get("/admin/outbox/domain").text
    assert "Er moet iets worden verholpen" in page
    assert "In orde, Mailserver:" in page
    assert "campagne.example heeft geen DMARC-record" in page
    assert "<code>v=DMARC1; p=none; adkim=r; aspf=r</code>" in page


def test_the_command_prints_the_findings_and_fails_when_something_must_be_fixed(
    app: Flask, local_dns: LocalDns
) -> None:
    publish_correct_domain(local_dns.zone)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["outbox", "check-domain"])
    assert good.exit_code == 0, good.output
    assert "[ok] DKIM: The DKIM key at outreach._domainkey.campagne.example matches" in good.output
    local_dns.zone.remove("_dmarc.campagne.example", "TXT")
    bad = runner.invoke(args=["outbox", "check-domain", "--language", "nl", "--send-test", "me@organiser.example"])
    assert bad.exit_code == 1
    assert "[FIX] DMARC: campagne.example heeft geen DMARC-record" in bad.output
    assert "Test message queued for me@organiser.example." in bad.output
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.subject)) == "Outreach: testbericht van campagne.example"
    assert '_dmarc.campagne.example TXT "v=DMARC1; p=none; adkim=r; aspf=r"' in bad.output


def test_the_test_message_goes_out_like_a_letter_signed_with_the_published_key(
    app: Flask, organiser: FlaskClient, local_dns: LocalDns, smtp: SinkServer
) -> None:
    publish_correct_domain(local_dns.zone)
    response = organiser.post("/admin/outbox/domain/test", data={"email": "me@organiser.example"})
    assert response.status_code == 302
    with app.app_context():
        Worker().run(once=True)
        assert db.session.scalar(select(OutboxMessage.status)) == "sent"
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "outbox.domain_test")) == (
            "to me@organiser.example"
        )
    [delivery] = smtp.sink.delivered
    assert delivery.rcpt_tos == ["me@organiser.example"]
    assert delivery.mail_from.startswith("bounces+") and delivery.mail_from.endswith("@campagne.example")
    message = message_from_bytes(delivery.raw)
    assert parseaddr(message["From"])[1] == "brieven@campagne.example"
    assert "Authentication-Results" in message.get_payload(decode=True).decode()

    def published(name: bytes, timeout: int = 5) -> bytes:
        return b"".join(local_dns.zone.records[(name.decode().rstrip("."), "TXT")][0].data)

    assert dkim.verify(delivery.raw, dnsfunc=published)


def test_test_messages_are_limited_and_a_bad_address_is_explained(
    app: Flask, organiser: FlaskClient, local_dns: LocalDns
) -> None:
    app.config["DOMAIN_TEST_LIMIT"] = "2/hour"
    bad = organiser.post("/admin/outbox/domain/test", data={"email": "not an address"})
    assert bad.status_code == 400
    assert 'value="not an address"' in bad.text
    for _ in range(2):
        assert organiser.post("/admin/outbox/domain/test", data={"email": "me@organiser.example"}).status_code == 302
    refused = organiser.post("/admin/outbox/domain/test", data={"email": "me@organiser.example"})
    assert refused.status_code == 429
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_without_a_dkim_key_spf_alone_carries_dmarc(app: Flask, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    app.config.update(DKIM_PRIVATE_KEY=None)
    assert findings(app, domain.PROBLEM) == []
    advice = [f.text for f in findings(app, domain.ADVICE)]
    assert "Outreach does not sign letters with DKIM (no OUTREACH_DKIM_PRIVATE_KEY_FILE)." in advice
    assert "Letters pass DMARC through SPF only, which fails when a message is forwarded." in advice


def test_a_mistyped_resolver_setting_is_explained_on_the_page(app: Flask, organiser: FlaskClient) -> None:
    app.config["DNS_RESOLVER"] = "dns.example:53"
    organiser.set_cookie("lang", "en")
    page = organiser.get("/admin/outbox/domain")
    assert page.status_code == 200
    assert "DNS_RESOLVER is “dns.example:53”, not an IP address with an optional port." in page.text


def test_the_relay_may_send_over_ipv6_too(app: Flask, local_dns: LocalDns) -> None:
    publish_correct_domain(local_dns.zone)
    app.config["OUTBOX_RELAY_IPS"] = "192.0.2.10, 2001:db8::25 2001:db9::25"
    [problem] = findings(app, domain.PROBLEM)
    assert "does not allow 2001:db9::25" in problem.text
    assert problem.record_value == "v=spf1 ip6:2001:db9::25 include:_spf.provider.example -all"
