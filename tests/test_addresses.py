"""Supporters' addresses: the ones we accept are delivered by a real mail server, the others get a clear no.

Each test is something that went wrong before: an address accepted that no mail server would take (letters such
as ü before the @, a direction mark, an encoded word), a Python error text shown as the server's answer, and a
subject typed as an encoded word that mail programs showed decoded.
"""

import string
import unicodedata
from collections.abc import Iterator
from email import message_from_string, policy

import idna
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import OutboxMessage
from outreach.outbox.smtp import ATTEMPT_TEXTS, FAILED, classify, explain
from outreach.outbox.worker import Worker
from outreach.validation import (
    ENCODED_WORD,
    INVISIBLE,
    NO_MAIL_DOMAIN,
    NON_ASCII_LOCAL_PART,
    NOT_AN_ADDRESS,
    address_problem,
)
from tests.builders import campaign, notice
from tests.campaign_helpers import confirmation_messages, confirmation_path, send_letter
from tests.conftest import logged_in
from tests.smtpserver import SinkServer, free_port
from tests.test_outbox_delivery import delivery_config

REFUSED = {
    "bidi override in the part before the @": "aysel\u202e@example.org",
    "bidi override in the domain": "aysel@exa\u202emple.org",
    "zero-width space": "ay\u200bsel@example.org",
    "left-to-right mark": "\u200eaysel@example.org",
    "byte-order mark": "\ufeffaysel@example.org",
    "first-strong isolate": "aysel@example.org\u2068",
    "encoded word": "=?utf-8?q?ays=C9=99l?=@example.org",
    "encoded word in the domain": "aysel@=?utf-8?q?example?=.org",
}


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


@pytest.fixture
def utf8_server() -> Iterator[SinkServer]:
    with SinkServer(smtputf8=True) as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return delivery_config(server.port, FORM_MIN_SECONDS=0)


@pytest.fixture
def keys(app: Flask, directory: dict[str, int]) -> list[str]:
    with app.app_context():
        campaign()
    return [f"member:{directory['yesilgoz']}"]


def drain() -> None:
    Worker().run(once=True)  # on today's clock: the confirmations a supporter asks for now are due now


def use(app: Flask, relay: SinkServer, smtputf8: bool) -> None:
    app.extensions["mail"].port = relay.port
    app.config["MAIL_SMTPUTF8"] = smtputf8


def parsed(raw: bytes):
    """The message as a mail program shows it (headers of an SMTPUTF8 message are UTF-8, RFC 6532)."""
    return message_from_string(raw.decode("utf-8"), policy=policy.default)


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED.keys())
def test_an_address_with_invisible_characters_or_an_encoded_word_is_refused_with_a_reason(
    app: Flask, client: FlaskClient, keys: list[str], address: str
) -> None:
    response = send_letter(client, keys, email=address)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "onzichtbaar teken" in page or "“=?…?=”" in page
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_letters_before_the_at_are_refused_while_the_relay_cannot_take_them(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    response = send_letter(client, keys, email="aysəl@example.org")
    assert response.status_code == 400
    assert "letters als ü of ş vóór de @" in response.get_data(as_text=True)


def test_with_an_smtputf8_relay_letters_before_the_at_are_delivered_with_smtputf8(
    app: Flask, client: FlaskClient, keys: list[str], utf8_server: SinkServer
) -> None:
    use(app, utf8_server, smtputf8=True)
    assert send_letter(client, keys, email="aysəl@bakı.az").status_code == 302
    with app.app_context():
        drain()
        [confirmation] = utf8_server.sink.delivered
        assert confirmation.rcpt_tos == ["aysəl@xn--bak-lua.az"]
        assert parsed(confirmation.raw)["To"].addresses[0].username == "aysəl"
        client.post(confirmation_path(confirmation_messages()[0]))
        drain()
        [letter] = [d for d in utf8_server.sink.delivered if d is not confirmation]
        assert letter.rcpt_tos == ["d.yesilgoz@tweedekamer.example"]
        assert "aysəl@xn--bak-lua.az" in [a.addr_spec for a in parsed(letter.raw)["Reply-To"].addresses]
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {states.SENT}


def test_a_message_the_relay_cannot_take_fails_at_once_with_an_explanation_not_a_python_error(
    app: Flask, client: FlaskClient, keys: list[str], server: SinkServer, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["MAIL_SMTPUTF8"] = True  # switched on, but this relay does not announce SMTPUTF8
    assert send_letter(client, keys, email="jürgen@example.org").status_code == 302
    with app.app_context():
        drain()
        [message] = confirmation_messages()
        assert (message.status, message.attempts, server.sink.delivered) == (states.FAILED, 1, [])
        assert "MAIL_SMTPUTF8 is on but the mail server does not announce SMTPUTF8" in caplog.text  # for whoever set it
        message_id = message.id
    organiser = logged_in(app, client, "organiser@example.org", "organiser")
    for page in ("/admin/outbox/", f"/admin/outbox/{message_id}"):
        html = organiser.get(page).get_data(as_text=True)
        assert "de mailserver neemt zulke adressen niet aan (hij meldt geen SMTPUTF8)" in html
        assert "Error" not in html and "codec" not in html


def test_a_message_that_cannot_be_encoded_fails_for_good_with_an_explanation_not_a_python_error(app: Flask) -> None:
    # The last guard behind the address checks: whatever still cannot be encoded is not retried (it would fail the
    # same way every time) and the organiser reads why in their language, not the codec's words.
    outcome = classify(UnicodeEncodeError("ascii", "jürgen", 1, 2, "ordinal not in range(128)"))
    assert (outcome.result, outcome.code) == (FAILED, None)
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert explain(outcome.code, outcome.text) == (
            "het bericht bevat tekens die niet naar deze mailserver kunnen worden verstuurd"
        )


def test_an_unreachable_server_is_explained_on_the_outbox_page_in_the_organisers_language(
    app: Flask, client: FlaskClient
) -> None:
    app.extensions["mail"].port = free_port()  # nothing listens there
    app.config["OUTBOX_BREAKER_FAILURES"] = 1
    with app.app_context():
        message_id = notice("aysel@example.org").id
        drain()
    organiser = logged_in(app, client, "organiser@example.org", "organiser")
    html = organiser.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "de mailserver weigerde de verbinding" in html
    assert "Errno" not in html and "Connection refused" not in html
    paused = organiser.get("/admin/outbox/").get_data(as_text=True)
    assert "1 verbindingsfouten achter elkaar: de mailserver weigerde de verbinding (draait hij" in paused


def test_an_idn_domain_goes_out_in_idna_2008(
    app: Flask, client: FlaskClient, keys: list[str], server: SinkServer
) -> None:
    # Python's own "idna" codec (IDNA 2003) sends straße.de to strasse.de, someone else's domain.
    assert send_letter(client, keys, email="aysel@straße.de").status_code == 302
    with app.app_context():
        drain()
        [delivery] = server.sink.delivered
        assert delivery.rcpt_tos == ["aysel@xn--strae-oqa.de"]
        assert parsed(delivery.raw)["To"].addresses[0].addr_spec == "aysel@xn--strae-oqa.de"


def test_a_subject_typed_as_an_encoded_word_arrives_as_the_text_typed(
    app: Flask, client: FlaskClient, keys: list[str], server: SinkServer
) -> None:
    typed = "=?utf-8?b?SGFsbG8gd2VyZWxk?= Khojaly"  # would show as "Hallo wereld Khojaly" if sent unencoded
    send_letter(client, keys, subject=typed)
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
        drain()
        [letter] = [d for d in server.sink.delivered if d.rcpt_tos == ["d.yesilgoz@tweedekamer.example"]]
        assert parsed(letter.raw)["Subject"] == typed


def test_every_explanation_is_translated_and_the_servers_own_words_are_kept(app: Flask) -> None:
    with app.test_request_context():
        for template in ATTEMPT_TEXTS:
            text = template % {"count": 3} if "%(" in template else template
            with force_locale("nl"):
                dutch = explain(None, text)
            with force_locale("en"):
                assert explain(None, text) == text != dutch, text
        with force_locale("nl"):
            assert explain(None, "gave up after 49 attempts") == "opgegeven na 49 pogingen"
            assert explain(250, "accepted") == "250 aangenomen"
            assert explain(550, "5.1.1 No such user") == "550 5.1.1 No such user"  # the server's own words, as given
            assert (
                explain(451, "the mail server did not answer in time") == "451 the mail server did not answer in time"
            )


# Addresses as supporters type them, and mistype them: letters from Azerbaijani, Turkish and German, IDN domains,
# direction marks and other invisible characters, encoded words, spaces, several @s.
LOCAL_CHARS = string.ascii_letters + string.digits + ".-_+'" + "əışçğöüÄ" + '\u202e\u200b\ufeff\u2066 =?@"<>,'
DOMAINS = ["example.org", "münchen.de", "straße.de", "bakı.az", "xn--mnchen-3ya.de", "EXAMPLE.NET", "exa\u202emple.org"]
addresses = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(LOCAL_CHARS, min_size=1, max_size=20),
        st.one_of(st.sampled_from(DOMAINS), st.from_regex(r"[a-zçğış-]{1,12}\.(nl|az|com|x)", fullmatch=True)),
    ),
    st.text(max_size=30),
)
REASONS = (NOT_AN_ADDRESS, INVISIBLE, ENCODED_WORD, NON_ASCII_LOCAL_PART, NO_MAIL_DOMAIN)


@pytest.mark.parametrize("smtputf8", [False, True], ids=["plain relay", "smtputf8 relay"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=addresses)
def test_every_accepted_address_is_delivered_and_every_refused_one_gets_a_clear_message(
    app: Flask, server: SinkServer, utf8_server: SinkServer, smtputf8: bool, address: str
) -> None:
    relay = utf8_server if smtputf8 else server
    use(app, relay, smtputf8)
    with app.test_request_context():
        problem = address_problem(address)
        event("refused" if problem else "delivered")
        if problem is not None:
            assert str(problem) in {str(reason) for reason in REASONS}
            assert not any(unicodedata.category(ch) == "Cf" for ch in address) or problem in (INVISIBLE, NOT_AN_ADDRESS)
            return
        assert "=?" not in address and (smtputf8 or address.rpartition("@")[0].isascii())
        message = notice(address)
        before = len(relay.sink.delivered)
        drain()
        db.session.refresh(message)
        assert message.status == states.SENT, explain(message.last_code, message.last_text)
        [delivery] = relay.sink.delivered[before:]
        [rcpt] = delivery.rcpt_tos
        local, _, domain = rcpt.rpartition("@")
        assert local == address.rpartition("@")[0] and domain.isascii()
        assert idna.decode(domain) == idna.decode(idna.encode(address.rpartition("@")[2], uts46=True))
        assert parsed(delivery.raw)["To"].addresses[0].addr_spec == rcpt
        db.session.delete(message)
        db.session.commit()


@pytest.mark.parametrize("address", ["brieven\u202e@campagne.nl", "=?utf-8?q?brieven?=@campagne.nl"])
def test_an_organiser_typing_an_address_is_refused_the_same_way(
    app: Flask, organiser: FlaskClient, address: str
) -> None:
    from tests.test_campaigns_admin import form

    response = organiser.post("/admin/campaigns/new", data=form(contact=address))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "onzichtbaar teken" in page or "“=?…?=”" in page
