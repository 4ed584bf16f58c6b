"""Interface languages: the browser's choice on a first visit, then the visitor's own; a switch on every page;
organiser pages in Dutch or English only; numbers and dates as each language writes them; e-mails to a supporter
in the supporter's language."""

import re
from datetime import date, datetime

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale, format_date
from sqlalchemy import select

from outreach.campaigns.models import Submission
from outreach.extensions import db
from outreach.i18n import language_name, number, percent
from outreach.outbox.models import LETTER, NOTICE, OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import campaign
from tests.campaign_helpers import confirmation_messages, confirmation_path, send_letter
from tests.smtpserver import SinkServer
from tests.test_outbox_delivery import delivery_config


@pytest.fixture
def server() -> SinkServer:
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0, **delivery_config(server.port)}


def html_lang(client: FlaskClient, path: str = "/", **headers: str) -> str:
    page = client.get(path, headers=headers).get_data(as_text=True)
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


def test_a_first_visit_reads_the_language_the_browser_asks_for(client: FlaskClient) -> None:
    assert html_lang(client, **{"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.8"}) == "tr"
    assert html_lang(client, **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}) == "en"  # the best one offered
    assert html_lang(client, **{"Accept-Language": "fr-FR"}) == "nl"  # none offered: Dutch
    assert html_lang(client) == "nl"
    turkish = client.get("/", headers={"Accept-Language": "tr"})
    assert "Tweede Kamer'e yazın" in turkish.get_data(as_text=True)
    assert "Accept-Language" in turkish.headers["Vary"]  # a shared cache keeps one copy per language


def test_the_visitors_own_choice_wins_over_the_browser_and_is_remembered(client: FlaskClient) -> None:
    switched = client.get("/language/tr?next=/members")
    assert switched.status_code == 302 and switched.location == "/members"
    assert html_lang(client, "/members", **{"Accept-Language": "en"}) == "tr"
    client.get("/language/en")
    assert html_lang(client, "/parties", **{"Accept-Language": "tr"}) == "en"


def test_every_public_page_offers_every_language_by_name(client: FlaskClient, directory: dict[str, int]) -> None:
    page = client.get("/committees", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    switch = page[page.index('class="language-switch"') : page.index("</ul>", page.index('class="language-switch"'))]
    for code in ("nl", "en"):
        assert f'href="/language/{code}?next=/committees' in switch
    assert 'lang="tr" aria-current="true"' in switch and "Türkçe" in switch and "Nederlands" in switch


def test_organiser_pages_stay_dutch_or_english_whatever_the_visitor_reads(
    organiser: FlaskClient, directory: dict[str, int]
) -> None:
    organiser.get("/language/tr")
    assert html_lang(organiser, "/members") == "tr"  # public pages in the chosen language
    assert html_lang(organiser, "/admin/campaigns/") == "nl"  # organiser pages: Dutch by default
    assert html_lang(organiser, "/admin/campaigns/", **{"Accept-Language": "tr, en;q=0.5"}) == "en"
    admin_page = organiser.get("/admin/campaigns/").get_data(as_text=True)
    assert "/language/en?next=" in admin_page and "/language/tr" not in admin_page  # the switch offers nl and en


def test_numbers_dates_and_names_follow_the_readers_language(app: Flask) -> None:
    remembrance = date(2026, 2, 26)
    with app.test_request_context("/"):
        written = {}
        for code in ("nl", "en", "az", "tr"):
            with force_locale(code):
                written[code] = (number(1234.5, 1), percent(0.25), format_date(remembrance, "long"))
        assert written["nl"] == ("1.234,5", "25 %", "26 februari 2026")
        assert written["en"] == ("1,234.5", "25 %", "February 26, 2026")
        assert written["tr"] == ("1.234,5", "%25", "26 Şubat 2026")
        assert written["az"] == ("1.234,5", "25 %", "26 fevral 2026")
        with force_locale("tr"):
            moment = render_template_string("{{ when|datetimeformat('medium') }}", when=datetime(2026, 2, 26, 11))
        assert "Şub" in moment and "12:00" in moment  # Amsterdam time, Turkish month
        assert (language_name("tr"), language_name("nl", "tr"), language_name("en", "nl")) == (
            "Türkçe",
            "Felemenkçe",
            "Engels",
        )
        # Azerbaijani and Turkish write a capital dotted İ: "İngilis", not "Ingilis"
        assert (language_name("az"), language_name("en", "az")) == ("Azərbaycan", "İngilis")


def test_the_campaigns_counter_writes_its_goal_as_the_reader_does(client: FlaskClient, app: Flask) -> None:
    with app.app_context():
        campaign(goal=1500)
    turkish = client.get("/campaigns/khojaly", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    english = client.get("/campaigns/khojaly", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hedef: 1.500 mektup" in turkish and "Goal: 1,500 letters" in english


def test_every_email_to_a_turkish_reader_is_in_turkish_while_the_letter_stays_dutch(
    app: Flask, client: FlaskClient, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        campaign()
    client.get("/language/tr")
    sent = send_letter(client, [f"member:{directory['de_vries']}"])
    assert sent.status_code == 302
    with app.app_context():
        [confirmation] = confirmation_messages()
        assert confirmation.language == "tr" and confirmation.subject.startswith("Lütfen")
        assert "Henüz hiçbir şey gönderilmedi" in confirmation.body
        assert db.session.scalar(select(Submission.page_language)) == "tr"
    client.get(confirmation_path(confirmation))
    client.post(confirmation_path(confirmation))
    server.sink.refuse_rcpt["a.devries@tweedekamer.example"] = "550 5.1.1 No such user"
    with app.app_context():
        Worker().run(once=True)
        [letter] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == LETTER)).all()
        assert letter.status == "failed" and letter.language == "nl" and "Geachte" in letter.body
        [notice] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).all()
        assert notice.language == "tr" and notice.subject.endswith("mektup teslim edilemedi")
        assert "alıcının posta sunucusu mektubu kabul etmedi" in notice.body
