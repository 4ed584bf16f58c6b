"""The outcome ledger: the campaign's motions, amendments and questions, who submitted them, each decision with its
date (held over, then carried), how each party voted, each member in a roll-call vote, mistaken votes marked; shown
to the organiser, exported as CSV, and on the public page only when the organiser publishes it."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.agenda.models import WatchMatch
from tests.builders import campaign
from tests.test_agenda_watches import sync
from tests.tkagenda import Business
from tests.tkfeed import Feed, guid, serve


def parliament(feed: Feed) -> None:
    b = Business(feed)
    b.activity("okt", "Stemmingen", "2026-10-13", kind="Stemmingen", committee=None)
    b.activity("nov", "Stemmingen", "2026-11-17", kind="Stemmingen", committee=None)
    b.item("punt-okt", "okt", "Stemmingen over moties")
    b.item("punt-nov", "nov", "Stemmingen over moties")
    b.case("motie", "Motie", "Motie van het lid Procent over de erkenning van Khojaly")
    b.submitter("indiener", "motie", "percent", "E. Procent", "D66")
    b.submitter("mede", "motie", "lee", "T. van der Lee", "D66", relation="Medeindiener")
    b.decision("aangehouden", "punt-okt", "motie", "Aangehouden")
    b.decision("aangenomen", "punt-nov", "motie", "Aangenomen.", "Met handopsteken")
    b.vote("v-vvd", "aangenomen", "vvd", "VVD", "Voor", 22)
    b.vote("v-d66", "aangenomen", "d66", "D66", "Voor", 26)
    b.vote("v-pvv", "aangenomen", "pvv", "PVV", "Tegen", 26, mistaken=True)
    b.case("amendement", "Amendement", "Amendement over een herdenkingsdag voor Khojaly")
    b.decision("hoofdelijk", "punt-nov", "amendement", "Verworpen.", "Hoofdelijk")
    b.vote("h1", "hoofdelijk", "vvd", "VVD", "Tegen", 22, person="yesilgoz", name="D. Yeşilgöz")
    b.vote("h2", "hoofdelijk", "d66", "D66", "Voor", 26, person="percent", name="E. Procent")
    b.case("vragen", "Schriftelijke vragen", "Vragen over de herdenking van Khojaly")


def follow(app: Flask, organiser: FlaskClient, feed: Feed) -> int:
    """A campaign watching "Khojaly" with every match confirmed, after a sync of `feed` (served by the caller)."""
    with app.app_context():
        app.config["TEST_CAMPAIGN"] = campaign_id = campaign().id
    sync(app, feed)
    organiser.post(f"/admin/campaigns/{campaign_id}/agenda/watches", data={"kind": "keyword", "value": "Khojaly"})
    with app.app_context():
        from outreach.extensions import db

        ids = list(db.session.scalars(select(WatchMatch.id)))
    for match_id in ids:
        organiser.post(f"/admin/campaigns/{campaign_id}/agenda/matches/{match_id}", data={"decision": "confirmed"})
    return campaign_id


@pytest.fixture
def ledger(app: Flask, organiser: FlaskClient) -> Iterator[int]:
    feed = Feed()
    parliament(feed)
    with serve(feed):
        campaign_id = follow(app, organiser, feed)
    yield campaign_id


def test_the_organiser_sees_decisions_in_order_and_votes_with_mistakes_marked(
    organiser: FlaskClient, ledger: int
) -> None:
    organiser.set_cookie("lang", "en")
    page = organiser.get(f"/admin/campaigns/{ledger}/agenda/ledger").get_data(as_text=True)
    motion = page.split("Motie van het lid Procent", 1)[1].split('class="finding ledger-case"', 1)[0]
    assert "motion" in motion and "E. Procent (D66), T. van der Lee (D66)" in motion
    assert motion.index("October 13, 2026: Aangehouden") < motion.index("November 17, 2026: Aangenomen.")
    assert "for</span> (48 seats):\n                    D66, VVD" in motion
    assert 'PVV <em class="vote-mistaken">(recorded by mistake)</em>' in motion
    amendment = page.split("Amendement over een herdenkingsdag", 1)[1].split('class="finding ledger-case"', 1)[0]
    assert "roll-call vote" in amendment and "D. Yeşilgöz (VVD)" in amendment and "E. Procent (D66)" in amendment
    questions = page.split("Vragen over de herdenking van Khojaly", 1)[1]
    assert "written questions" in questions and "No answer yet" in questions and "No decision yet." not in questions


def test_the_ledger_as_csv(organiser: FlaskClient, ledger: int) -> None:
    response = organiser.get(f"/admin/campaigns/{ledger}/agenda/ledger.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    pvv = next(r for r in rows if r["voter"] == "PVV")
    assert (pvv["decision_date"], pvv["decision"], pvv["vote"], pvv["seats"], pvv["mistaken"]) == (
        "2026-11-17",
        "Aangenomen.",
        "Tegen",
        "26",
        "yes",
    )
    held = next(r for r in rows if r["decision"] == "Aangehouden")
    assert held["decision_date"] == "2026-10-13" and held["submitters"] == "E. Procent (D66); T. van der Lee (D66)"
    assert any(r["voter"] == "D. Yeşilgöz" and r["seats"] == "1" for r in rows)


def test_the_public_page_shows_the_ledger_only_when_published(
    app: Flask, client: FlaskClient, organiser: FlaskClient, ledger: int
) -> None:
    assert 'id="ledger"' not in client.get("/campaigns/khojaly").get_data(as_text=True)
    organiser.post(f"/admin/campaigns/{ledger}/agenda/ledger/publish", data={"published": "yes"})
    page = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert 'id="ledger"' in page and "Wat de Kamer deed" in page and "(per vergissing)" in page
    organiser.post(f"/admin/campaigns/{ledger}/agenda/ledger/publish", data={"published": "no"})
    assert 'id="ledger"' not in client.get("/campaigns/khojaly").get_data(as_text=True)


def answered(app: Flask, directory: dict[str, int], stances: dict[str, str]) -> None:
    """Letters to these members, each answered with the given stance; the directory gets the Kamer's ids."""
    from outreach.campaigns.models import Campaign
    from outreach.directory.models import Member, Party
    from outreach.extensions import db
    from outreach.replies.models import Reply
    from tests.builders import sent_letters

    with app.app_context():
        for party in db.session.scalars(select(Party)):
            party.tk_id = guid(party.abbreviation.lower())
        for key in ("yesilgoz", "van_der_lee", "percent", "de_vries"):
            db.session.get(Member, directory[key]).tk_id = guid(key)
        row = db.session.get(Campaign, app.config["TEST_CAMPAIGN"])
        for n, (key, stance) in enumerate(stances.items()):
            (sent,) = sent_letters(row, [directory[key]], supporter_no=n + 1)
            db.session.add(
                Reply(
                    dedupe_key=f"test:{sent.id}",
                    source="imap",
                    kind="answer",
                    matched_by="token",
                    letter_id=sent.id,
                    campaign_id=row.id,
                    member_id=sent.member_id,
                    received_at=sent.created_at,
                    created_at=sent.created_at,
                    stance=stance,
                )
            )
        db.session.commit()


def test_said_and_voted_shows_where_answers_and_votes_differ(
    app: Flask, organiser: FlaskClient, directory: dict[str, int], ledger: int
) -> None:
    answered(app, directory, {"yesilgoz": "supports", "percent": "supports", "de_vries": "noncommittal"})
    organiser.set_cookie("lang", "en")
    page = organiser.get(f"/admin/reports/{ledger}").get_data(as_text=True)
    members = page.split('id="said-voted-members"', 1)[1]
    yesilgoz = members.split('data-record="Dilan Yeşilgöz"', 1)[1].split("</li>", 1)[0]
    # she answered in support and voted against the amendment in the roll call
    assert "Said and voted differ" in yesilgoz
    amendment = 'amendment “Amendement over een herdenkingsdag voor Khojaly”: <span class="vote-choice">'
    assert amendment + "against</span> (own vote)" in yesilgoz
    motion = 'motion “Motie van het lid Procent over de erkenning van Khojaly”: <span class="vote-choice">'
    assert motion + "for</span> (party vote)" in yesilgoz
    procent = members.split('data-record="Eva Procent_100%"', 1)[1].split("</li>", 1)[0]
    assert "Said and voted differ" not in procent and "(own vote)" in procent
    parties = page.split('id="said-voted-parties"', 1)[1].split('id="said-voted-members"', 1)[0]
    cda = parties.split('data-record="CDA"', 1)[1].split("</li>", 1)[0]
    assert "non-committal: 1" in cda and "no vote recorded" in cda


def test_a_members_page_shows_what_they_did_on_the_campaigns_subjects(
    app: Flask, client: FlaskClient, directory: dict[str, int], ledger: int
) -> None:
    app.config["AGENDA_NOW"] = datetime(2026, 12, 1, 12, 0)
    answered(app, directory, {})
    client.set_cookie("lang", "en")
    page = client.get(f"/members/{directory['percent']}").get_data(as_text=True)
    section = page.split('id="member-activity"', 1)[1]
    assert (
        "Submitted" in section
        and "motion: Motie van het lid Procent over de erkenning van Khojaly — Aangenomen." in section
    )
    assert "November 17, 2026: amendment “Amendement over een herdenkingsdag voor Khojaly”: for (own vote)" in section
    assert (
        "November 17, 2026: motion “Motie van het lid Procent over de erkenning van Khojaly”: for (party vote)"
        in section
    )
    assert 'id="member-activity"' not in client.get(f"/members/{directory['hart']}").get_data(as_text=True)
