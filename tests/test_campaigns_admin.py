"""Organisers and campaigns: writing one (with a preview), pausing and closing, the review queue, the bundled
campaign."""

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.accounts.models import AuditEntry
from outreach.campaigns import letters
from outreach.campaigns.cli import BUNDLED, reading_files
from outreach.campaigns.models import Campaign, Letter, Submission
from outreach.campaigns.reading import placeholder_problem
from outreach.extensions import db
from outreach.outbox.models import LETTER, NOTICE, OutboxMessage
from tests.builders import LETTER_NL, campaign
from tests.campaign_helpers import confirmation_messages, confirmation_path, send_letter


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0}


@pytest.fixture
def live(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    with app.app_context():
        return {"campaign": campaign().id, **directory}


def form(**changes: str) -> dict[str, str]:
    return {
        "slug": "nieuwe-campagne",
        "status": "draft",
        "title_nl": "Nieuwe campagne",
        "intro_nl": "Uitleg.",
        "subject_nl": "Onderwerp",
        "body_nl": LETTER_NL,
        "all_members": "y",
        "max_recipients": "10",
        "daily_cap": "200",
        "action": "save",
        **changes,
    }


def outbox_letters() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == LETTER)))


def test_an_organiser_writes_a_campaign_with_a_preview_for_a_chosen_member(
    app: Flask, organiser: FlaskClient, live: dict[str, int]
) -> None:
    unknown = organiser.post("/admin/campaigns/new", data=form(body_nl="{salutation}\n\n{naam_kamerlid}"))
    assert unknown.status_code == 400 and "{naam_kamerlid}" in unknown.get_data(as_text=True)
    preview = organiser.post(
        "/admin/campaigns/new", data=form(action="preview", preview_member=str(live["van_der_lee"]))
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Geachte heer Van der Lee," in page and "Jan Jansen" in page
    saved = organiser.post("/admin/campaigns/new", data=form(parties="VVD, D66"))
    assert saved.status_code == 302
    with app.app_context():
        new = db.session.scalars(select(Campaign).where(Campaign.slug == "nieuwe-campagne")).one()
        assert new.parties == ["VVD", "D66"] and new.status == "draft" and new.body_nl == LETTER_NL
        assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "campaign created"
    taken = organiser.post(f"/admin/campaigns/{live['campaign']}/edit", data=form())
    assert taken.status_code == 400


def test_a_campaign_for_some_parties_offers_only_their_members(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        campaign(all_members=False, parties=["CDA"], committees=["DEF"])
    page = client.get("/campaigns/khojaly/choose").get_data(as_text=True)
    assert "Anna de Vries" in page and "Jan Jansen" in page  # CDA (and DEF's chair)
    assert "Dilan Yeşilgöz" not in page and "Tom van der Lee" not in page
    letter = client.get("/campaigns/khojaly/letter", query_string={"to": f"member:{directory['yesilgoz']}"})
    assert letter.location.endswith("/campaigns/khojaly/choose")  # back to choosing
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Submission.id))) == 0


def test_pausing_holds_letters_and_going_live_sends_them(
    app: Flask, client: FlaskClient, organiser: FlaskClient, live: dict[str, int]
) -> None:
    send_letter(client, [f"member:{live['yesilgoz']}"], email="one@example.org")
    send_letter(client, [f"member:{live['de_vries']}"], email="two@example.org")
    with app.app_context():
        first, second = (confirmation_path(m) for m in confirmation_messages())
    client.post(first)
    organiser.post(f"/admin/campaigns/{live['campaign']}/status", data={"status": "paused"})
    client.post(second)
    with app.app_context():
        assert [m.status for m in outbox_letters()] == ["held"]
        assert db.session.scalars(select(Letter.hold_reason).order_by(Letter.id)).all() == [None, "campaign_paused"]
    organiser.post(f"/admin/campaigns/{live['campaign']}/status", data={"status": "live"})
    with app.app_context():
        assert sorted(m.status for m in outbox_letters()) == ["queued", "queued"]
    organiser.post(f"/admin/campaigns/{live['campaign']}/status", data={"status": "closed"})
    assert send_letter(client, [f"member:{live['van_der_lee']}"]).status_code == 400


def test_the_outbox_kill_switch_is_the_campaigns_own_pause_and_nothing_releases_a_paused_campaigns_letters(
    app: Flask, client: FlaskClient, organiser: FlaskClient, live: dict[str, int]
) -> None:
    send_letter(client, [f"member:{live['yesilgoz']}"], email="one@example.org")
    send_letter(client, [f"member:{live['de_vries']}"], email="iemand@tweedekamer.nl")  # held for review
    with app.app_context():
        for message in confirmation_messages():
            client.post(confirmation_path(message))
        reviewed = db.session.scalars(select(Submission.id).order_by(Submission.id.desc())).first()
    organiser.post(f"/admin/outbox/campaign/{live['campaign']}/hold")
    with app.app_context():
        assert db.session.get(Campaign, live["campaign"]).status == "paused"
        (message,) = outbox_letters()
        assert message.status == "held"
        message_id = message.id
    assert "gepauzeerd" in organiser.get(f"/admin/campaigns/{live['campaign']}").get_data(as_text=True)
    # Releasing the one message, or the letter held for review, sends nothing while the campaign says paused.
    page = organiser.post(f"/admin/outbox/{message_id}/release", follow_redirects=True).get_data(as_text=True)
    assert "De campagne is gepauzeerd" in page
    organiser.post(f"/admin/campaigns/review/{reviewed}", data={"action": "release"})
    with app.app_context():
        assert [m.status for m in outbox_letters()] == ["held"]
        assert db.session.get(Campaign, live["campaign"]).status == "paused"
    # Undoing the kill switch on the outbox page makes the campaign live again and sends both letters.
    organiser.post(f"/admin/outbox/campaign/{live['campaign']}/release")
    with app.app_context():
        assert db.session.get(Campaign, live["campaign"]).status == "live"
        assert sorted(m.status for m in outbox_letters()) == ["queued", "queued"]


def test_held_letters_are_released_or_rejected_with_a_message(
    app: Flask, client: FlaskClient, organiser: FlaskClient, live: dict[str, int]
) -> None:
    # Written from an address of the House: held for an organiser.
    send_letter(client, [f"member:{live['yesilgoz']}"], email="iemand@tweedekamer.nl")
    send_letter(client, [f"member:{live['de_vries']}"], email="a.devries@tweedekamer.example")
    with app.app_context():
        for message in confirmation_messages():
            client.post(confirmation_path(message))
        first, second = db.session.scalars(select(Submission.id).order_by(Submission.id)).all()
        assert outbox_letters() == []
    queue = organiser.get("/admin/campaigns/review").get_data(as_text=True)
    assert queue.count("View letter") + queue.count("Brief bekijken") == 2
    assert "Mammadova" in organiser.get(f"/admin/campaigns/review/{first}").get_data(as_text=True)
    organiser.post(f"/admin/campaigns/review/{first}", data={"action": "release"})
    assert organiser.post(f"/admin/campaigns/review/{second}", data={"action": "reject"}).status_code == 302
    organiser.post(f"/admin/campaigns/review/{second}", data={"action": "reject", "message": "Dit lijkt op spam."})
    with app.app_context():
        assert [m.recipient for m in outbox_letters()] == ["d.yesilgoz@tweedekamer.example"]
        assert db.session.get(Submission, second).letters[0].status == "rejected"
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).one()
        assert notice.recipient == "a.devries@tweedekamer.example" and "Dit lijkt op spam." in notice.body
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("viewed letter") == 1 and "released letters" in actions and "rejected letters" in actions


def test_the_overview_shows_letters_by_state_and_by_source(
    app: Flask, client: FlaskClient, organiser: FlaskClient, live: dict[str, int]
) -> None:
    send_letter(client, [f"member:{live['yesilgoz']}", f"member:{live['de_vries']}"], ref="moskee-utrecht")
    page = organiser.get(f"/admin/campaigns/{live['campaign']}").get_data(as_text=True)
    row = re.search(r"<td>moskee-utrecht</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", page)
    assert row and row.groups() == ("1", "2")
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
    assert '<th scope="row">Erkenning van Khojaly</th>' in organiser.get("/admin/outbox/").get_data(as_text=True)


def test_the_bundled_campaign_loads_once_and_uses_only_known_placeholders(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    for path in (path for path in BUNDLED.glob("*.json") if "." not in path.stem):
        data = json.loads(path.read_text())
        for language in ("nl", "en"):
            texts = data[language]
            assert letters.unknown_placeholders(texts["body"] + texts["subject"]) == []
            assert texts["body"].startswith("{salutation}") and "{supporter_name}" in texts["body"]
        for code, texts in reading_files(path).items():  # khojaly.tr.json: the same placeholders as the Dutch
            assert placeholder_problem(texts["body"], data["nl"]["body"]) is None, code
            assert placeholder_problem(texts["subject"], data["nl"]["subject"]) is None, code
    assert "khojaly" in runner.invoke(args=["campaigns", "init"]).output
    assert "already" in runner.invoke(args=["campaigns", "init"]).output
    with app.app_context():
        [bundled] = db.session.scalars(select(Campaign)).all()
        assert bundled.title_nl == "Erkenning van het bloedbad van Khojaly" and bundled.status == "live"
    page = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "26 februari" in page and "Azerbeidzjaanse autoriteiten" in page
