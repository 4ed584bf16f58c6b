"""Watches per campaign: keywords (whole words, any accents or capitals), committees and dossiers find the House's
business; the organiser confirms or dismisses each match, and a dismissed one stays dismissed."""

import re
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.agenda.models import WatchMatch
from outreach.agenda.sync import run_agenda_sync
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from tests.builders import campaign
from tests.tkagenda import Business
from tests.tkfeed import Feed, serve

NOW = datetime(2026, 12, 1, 12, 0)


def business(feed: Feed) -> Business:
    b = Business(feed)
    b.activity("debat", "Commissiedebat Zuidelijke Kaukasus", "2026-12-10")
    b.activity("tapijt", "Tentoonstelling Karabach-tapijten in de Statenpassage", "2026-12-11", committee=None)
    b.activity(
        "beleid",
        "Kaukasusbeleid van de Europese Unie",
        "2026-12-12",
        committee="eu",
        committee_name="EU-zaken",
        committee_abbreviation="EU",
    )
    b.activity(
        "defensie",
        "Materieelprojecten",
        "2026-12-14",
        committee="def",
        committee_name="Defensie",
        committee_abbreviation="DEF",
    )
    b.item("punt", "debat", "Brief over de toestand in Nagorno-Karabach")
    b.case("motie", "Motie", "Motie over de herdenking van de slachtoffers van Khojali", dossier="dossier")
    b.case("begroting", "Wetgeving", "Vaststelling begrotingsstaten", dossier="dossier", items=("punt-b",))
    b.item("punt-b", "defensie", "Begroting 2027")
    b.dossier("dossier", 36600, "Begroting Buitenlandse Zaken 2027", suffix="V")
    return b


def sync(app: Flask, feed: Feed) -> None:
    with app.app_context():
        run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, backoff=0), now=NOW)


def synced_campaign(app: Flask) -> int:
    """A campaign, and the agenda synced from the constructed feed; returns the campaign's id."""
    with app.app_context():
        cid = app.config["TEST_CAMPAIGN"] = campaign().id
    feed = Feed()
    business(feed)
    with serve(feed):
        sync(app, feed)
    return cid


def watch(organiser: FlaskClient, kind: str, value: str):
    campaign_id = organiser.application.config["TEST_CAMPAIGN"]
    return organiser.post(f"/admin/campaigns/{campaign_id}/agenda/watches", data={"kind": kind, "value": value})


def matches(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {m.reason + ":" + m.category: m.state for m in db.session.scalars(select(WatchMatch))}


def match_titles(html: str) -> list[str]:
    section = html.split('id="match-list"', 1)[1]
    return re.findall(r"<strong>([^<]+)</strong>", section)


def test_keywords_match_whole_words_without_regard_to_accents_or_case(app: Flask, organiser: FlaskClient) -> None:
    cid = synced_campaign(app)
    assert watch(organiser, "keyword", "kaukasus").status_code == 302
    watch(organiser, "keyword", "Khojalı")  # as the organiser types it; the Kamer writes "Khojali"
    watch(organiser, "keyword", "nagorno karabach")
    page = organiser.get(f"/admin/campaigns/{cid}/agenda").get_data(as_text=True)
    titles = match_titles(page)
    assert "Commissiedebat Zuidelijke Kaukasus" in titles
    assert "Motie over de herdenking van de slachtoffers van Khojali" in titles
    assert "Brief over de toestand in Nagorno-Karabach" in titles
    assert "Kaukasusbeleid van de Europese Unie" not in titles  # not the whole word
    assert "Materieelprojecten" not in titles


def test_committee_and_dossier_watches(app: Flask, organiser: FlaskClient) -> None:
    cid = synced_campaign(app)
    watch(organiser, "committee", "buza")
    watch(organiser, "dossier", "36600-v")
    titles = match_titles(organiser.get(f"/admin/campaigns/{cid}/agenda").get_data(as_text=True))
    assert "Commissiedebat Zuidelijke Kaukasus" in titles  # led by BuZa
    assert "Motie over de herdenking van de slachtoffers van Khojali" in titles  # in dossier 36600-V
    assert "Begroting 2027" in titles  # the agenda item the dossier's bill is on
    assert "Tentoonstelling Karabach-tapijten in de Statenpassage" not in titles


def test_a_dismissed_false_match_stays_dismissed_after_later_syncs(app: Flask, organiser: FlaskClient) -> None:
    with app.app_context():
        cid = app.config["TEST_CAMPAIGN"] = campaign().id
    feed = Feed()
    b = business(feed)
    with serve(feed):
        sync(app, feed)
        watch(organiser, "keyword", "Karabach")
        with app.app_context():
            false_match = db.session.scalar(select(WatchMatch).where(WatchMatch.category == "activity"))
            real_match = db.session.scalar(select(WatchMatch).where(WatchMatch.category == "item"))
        organiser.post(f"/admin/campaigns/{cid}/agenda/matches/{false_match.id}", data={"decision": "dismissed"})
        organiser.post(f"/admin/campaigns/{cid}/agenda/matches/{real_match.id}", data={"decision": "confirmed"})
        # the exhibition is moved: a new version, which matches again
        b.activity(
            "tapijt",
            "Tentoonstelling Karabach-tapijten in de Statenpassage",
            "2026-12-18",
            committee=None,
            status="Verplaatst",
            updated="2026-11-30T09:00:00Z",
        )
        sync(app, feed)
    assert matches(app) == {"Karabach:activity": "dismissed", "Karabach:item": "confirmed"}
    page = organiser.get(f"/admin/campaigns/{cid}/agenda").get_data(as_text=True)
    upcoming = page.split('id="upcoming"', 1)[1].split('id="recent"', 1)[0]
    assert "Commissiedebat Zuidelijke Kaukasus" in upcoming  # the confirmed item's debate
    assert "Tentoonstelling" not in upcoming


def test_an_undecided_match_goes_when_the_text_no_longer_matches(app: Flask, organiser: FlaskClient) -> None:
    with app.app_context():
        app.config["TEST_CAMPAIGN"] = campaign().id
    feed = Feed()
    b = business(feed)
    with serve(feed):
        sync(app, feed)
        watch(organiser, "keyword", "Karabach")
        b.activity(
            "tapijt", "Tentoonstelling Perzische tapijten", "2026-12-11", committee=None, updated="2026-11-30T09:00:00Z"
        )
        sync(app, feed)
    assert matches(app) == {"Karabach:item": "new"}


def test_bad_watches_get_a_clear_error(app: Flask, organiser: FlaskClient) -> None:
    with app.app_context():
        cid = app.config["TEST_CAMPAIGN"] = campaign().id
    organiser.set_cookie("lang", "en")
    response = watch(organiser, "dossier", "zesendertig")
    assert response.status_code == 400
    assert "A dossier number is written like 36600 or 36600-V." in response.get_data(as_text=True)
    assert watch(organiser, "keyword", "  ").status_code == 400
    assert watch(organiser, "colour", "blue").status_code == 400
    assert organiser.get(f"/admin/campaigns/{cid + 1}/agenda").status_code == 404
