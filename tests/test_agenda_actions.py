"""Write before this debate: the organiser turns a debate into an action; supporters see what is coming and by when
to write, with the spokespeople and the committee pre-selected; a moved debate moves the deadline, a cancelled one
and a passed deadline close the action by themselves."""

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.agenda.models import DebateAction, WatchMatch
from outreach.agenda.sync import run_agenda_sync
from outreach.directory.models import Member
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from tests.builders import LETTER_NL, campaign
from tests.campaign_helpers import letter_page
from tests.tkagenda import Business
from tests.tkfeed import Feed, guid, serve

NOW = datetime(2026, 12, 1, 12, 0)
LETTER = LETTER_NL.replace("Ik vraag de Kamer", "Voor het debat over {debate_title} op {debate_date} vraag ik de Kamer")


def house(feed: Feed) -> Business:
    b = Business(feed)
    b.activity("eerder", "Commissiedebat Zuidelijke Kaukasus", "2026-10-01", status="Uitgevoerd")
    b.speaker("spreker", "eerder", "percent", "E. Procent", "D66")
    b.activity("straks", "Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan", "2026-12-10", "14:00")
    return b


def sync(app: Flask, feed: Feed) -> None:
    with app.app_context():
        run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, backoff=0), now=NOW)


@pytest.fixture
def followed(app: Flask, directory: dict[str, int], organiser: FlaskClient) -> Iterator[tuple[Feed, Business]]:
    """A campaign following two debates on the Southern Caucasus: one held, one coming up on 10 December."""
    app.config["AGENDA_NOW"] = NOW
    with app.app_context():
        app.config["TEST_CAMPAIGN"] = campaign(body_nl=LETTER).id
        for key in ("yesilgoz", "van_der_lee", "de_vries", "percent"):
            db.session.get(Member, directory[key]).tk_id = guid(key)
        db.session.commit()
    feed = Feed()
    b = house(feed)
    with serve(feed):
        sync(app, feed)
        yield_ = (feed, b)
        watched = {"kind": "keyword", "value": "Zuidelijke Kaukasus"}
        organiser.post(f"/admin/campaigns/{cid(app)}/agenda/watches", data=watched)
        with app.app_context():
            ids = list(db.session.scalars(select(WatchMatch.id)))
        for match_id in ids:
            organiser.post(f"/admin/campaigns/{cid(app)}/agenda/matches/{match_id}", data={"decision": "confirmed"})
        yield yield_


def cid(app: Flask) -> int:
    return app.config["TEST_CAMPAIGN"]


def reschedule(app: Flask, followed: tuple[Feed, Business], day: str, start: str, status: str) -> None:
    """The Kamer publishes a new version of the coming debate, and the agenda is synced."""
    feed, b = followed
    subject = "Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan"
    b.activity("straks", subject, day, start, status=status, updated="2026-12-01T08:00:00Z")
    sync(app, feed)


def write_before(organiser: FlaskClient, key: str = "straks", deadline: str = ""):
    app = organiser.application
    data = {"activity": guid(key), "deadline": deadline}
    return organiser.post(f"/admin/campaigns/{cid(app)}/agenda/actions", data=data)


def test_the_debate_becomes_an_action_with_spokespeople_and_committee_pre_selected(
    app: Flask, client: FlaskClient, organiser: FlaskClient, followed, directory: dict[str, int]
) -> None:
    page = organiser.get(f"/admin/campaigns/{cid(app)}/agenda").get_data(as_text=True)
    upcoming = page.split('id="upcoming"', 1)[1].split('id="recent"', 1)[0]
    assert "donderdag 10 december 2026, 14:00" in upcoming
    assert write_before(organiser).status_code == 302
    with app.app_context():
        action = db.session.scalar(select(DebateAction))
        # the D66 spokesperson of the earlier debate first, then BuZa's chair, vice-chair and member
        assert action.recipients == [
            f"member:{directory[k]}" for k in ("percent", "yesilgoz", "van_der_lee", "de_vries")
        ]
    chooser = client.get("/campaigns/khojaly/choose").get_data(as_text=True)
    for key in ("percent", "yesilgoz", "van_der_lee", "de_vries"):
        assert f'<input type="hidden" name="to" value="member:{directory[key]}">' in chooser
    assert f'value="member:{directory["hart"]}">' not in chooser.split("<form", 2)[1]  # a substitute: not pre-selected


def test_supporters_read_what_is_coming_and_by_when_to_write_in_their_language(
    app: Flask, client: FlaskClient, organiser: FlaskClient, followed, directory: dict[str, int]
) -> None:
    write_before(organiser)
    dutch = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan" in dutch
    assert "Schrijf vóór donderdag 10 december 2026, 14:00" in dutch
    letter = letter_page(client, [f"member:{directory['yesilgoz']}"]).get_data(as_text=True)
    assert "Voor het debat over Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan op 10 december 2026" in letter
    client.set_cookie("lang", "en")
    english = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "Write before Thursday 10 December 2026, 14:00" in english


def test_a_moved_debate_moves_the_deadline_and_a_passed_one_closes_the_action(
    app: Flask, client: FlaskClient, organiser: FlaskClient, followed
) -> None:
    write_before(organiser)
    reschedule(app, followed, "2026-12-17", "10:00", "Verplaatst")
    page = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "Schrijf vóór donderdag 17 december 2026, 10:00" in page
    assert "Het debat is naar deze datum verplaatst." in page
    app.config["AGENDA_NOW"] = datetime(2026, 12, 17, 9, 0)  # 10:00 in Amsterdam: the debate starts
    assert 'id="coming-debate"' not in client.get("/campaigns/khojaly").get_data(as_text=True)
    assert 'name="to" value=' not in client.get("/campaigns/khojaly/choose").get_data(as_text=True).split("<form")[1]
    admin_page = organiser.get(f"/admin/campaigns/{cid(app)}/agenda").get_data(as_text=True)
    assert "action-past" in admin_page


def test_a_cancelled_debate_closes_its_action(
    app: Flask, client: FlaskClient, organiser: FlaskClient, followed
) -> None:
    write_before(organiser)
    reschedule(app, followed, "2026-12-10", "14:00", "Geannuleerd")
    assert 'id="coming-debate"' not in client.get("/campaigns/khojaly").get_data(as_text=True)
    organiser.set_cookie("lang", "en")
    assert "the debate was cancelled" in organiser.get(f"/admin/campaigns/{cid(app)}/agenda").get_data(as_text=True)


def test_an_organiser_deadline_and_bad_requests(
    app: Flask, client: FlaskClient, organiser: FlaskClient, followed
) -> None:
    organiser.set_cookie("lang", "en")
    assert write_before(organiser, deadline="2026-11-01T10:00").status_code == 400
    assert write_before(organiser, deadline="morgen").status_code == 400
    refused = write_before(organiser, key="onbekend")
    assert refused.status_code == 400 and "Choose a debate from the campaign’s agenda." in refused.get_data(
        as_text=True
    )
    assert write_before(organiser, deadline="2026-12-09T18:00").status_code == 302
    assert "Write before Wednesday 9 December 2026, 18:00" in client.get("/campaigns/khojaly").get_data(as_text=True)
