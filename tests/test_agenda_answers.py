"""Answers to written questions in the outcome ledger: answered on a date with the Kamer's page of the answer, the
answer postponed, or none yet — on the organiser's page (nl, en), the public timeline and the CSV; a deleted answer
drops out, and documents the ledger does not need are not kept."""

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.agenda.models import Document
from tests.test_agenda_ledger import follow
from tests.test_agenda_watches import sync
from tests.tkagenda import Business
from tests.tkfeed import Feed, serve

ANSWERED = "Vragen over de herdenking van Khojaly"
POSTPONED = "Vragen over gevangenen uit Khojaly"
OPEN = "Vragen over een tentoonstelling over Khojaly"


def questions(feed: Feed) -> Business:
    b = Business(feed)
    b.case("vragen-a", "Schriftelijke vragen", ANSWERED)
    b.submitter("indiener-a", "vragen-a", "percent", "E. Procent", "D66")
    b.document("antwoord-a", "vragen-a", "Antwoord schriftelijke vragen", "2026-11-20")
    b.case("vragen-b", "Schriftelijke vragen", POSTPONED)
    b.document("uitstel-b", "vragen-b", "Mededeling uitstel antwoord", "2026-11-10")
    b.case("vragen-c", "Schriftelijke vragen", OPEN)
    b.document("brief-c", "vragen-c", "Brief regering", "2026-11-12")  # not an answer: not kept
    return b


def entry(page: str, subject: str) -> str:
    return page.split(subject, 1)[1].split('class="finding ledger-case"', 1)[0]


def ledger_page(organiser: FlaskClient, campaign_id: int, lang: str) -> str:
    organiser.set_cookie("lang", lang)
    return organiser.get(f"/admin/campaigns/{campaign_id}/agenda/ledger").get_data(as_text=True)


def rows(organiser: FlaskClient, campaign_id: int) -> dict[str, dict[str, str]]:
    body = organiser.get(f"/admin/campaigns/{campaign_id}/agenda/ledger.csv").get_data(as_text=True)
    return {r["subject"]: r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}


def test_answered_postponed_and_open_questions_on_the_ledger_page(
    app: Flask, organiser: FlaskClient, client: FlaskClient
) -> None:
    feed = Feed()
    questions(feed)
    with serve(feed):
        campaign_id = follow(app, organiser, feed)
    page = ledger_page(organiser, campaign_id, "en")
    answered = entry(page, ANSWERED)
    assert "Answered on November 20, 2026" in answered
    assert "kamerstukken/kamervragen/detail?id=2026Z" in answered and "&amp;did=2026D" in answered
    assert "Answer postponed (November 10, 2026)" in entry(page, POSTPONED)
    assert "No answer yet" in entry(page, OPEN)
    nl = ledger_page(organiser, campaign_id, "nl")
    assert "Beantwoord op 20 november 2026" in entry(nl, ANSWERED)
    assert "Antwoord uitgesteld (10 november 2026)" in entry(nl, POSTPONED)
    assert "Nog geen antwoord" in entry(nl, OPEN)
    organiser.post(f"/admin/campaigns/{campaign_id}/agenda/ledger/publish", data={"published": "yes"})
    public = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "Beantwoord op 20 november 2026" in public and "Nog geen antwoord" in public
    with app.app_context():
        from outreach.extensions import db

        kinds = set(db.session.scalars(select(Document.kind)))
    assert kinds == {"Antwoord schriftelijke vragen", "Mededeling uitstel antwoord"}


def test_a_postponed_answer_then_answered_and_a_deleted_answer_dropping_out(app: Flask, organiser: FlaskClient) -> None:
    feed = Feed()
    b = questions(feed)
    with serve(feed):
        campaign_id = follow(app, organiser, feed)
        assert rows(organiser, campaign_id)[POSTPONED]["answer"] == "postponed"
        b.document(
            "antwoord-b", "vragen-b", "Antwoord schriftelijke vragen", "2026-11-25", updated="2026-11-25T10:00:00Z"
        )
        b.delete("Document", "document", "antwoord-a", updated="2026-11-26T10:00:00Z")
        b.document("antwoord-a", "vragen-a", "Antwoord schriftelijke vragen", "2026-11-20")  # an old version replayed
        sync(app, feed)
    page = ledger_page(organiser, campaign_id, "en")
    later = entry(page, POSTPONED)
    assert "Answered on November 25, 2026" in later and "postponed" not in later
    assert "No answer yet" in entry(page, ANSWERED) and "Answered on" not in entry(page, ANSWERED)
    with app.app_context():
        from outreach.extensions import db

        assert db.session.scalar(select(func.count()).select_from(Document).where(Document.deleted)) == 1


def test_the_csv_has_the_answer_columns(app: Flask, organiser: FlaskClient) -> None:
    feed = Feed()
    questions(feed)
    with serve(feed):
        campaign_id = follow(app, organiser, feed)
    found = rows(organiser, campaign_id)
    answered = found[ANSWERED]
    assert (answered["answer"], answered["answer_date"]) == ("answered", "2026-11-20")
    assert answered["answer_link"].startswith("https://www.tweedekamer.nl/kamerstukken/kamervragen/detail?id=2026Z")
    assert answered["submitters"] == "E. Procent (D66)"
    assert (found[POSTPONED]["answer"], found[POSTPONED]["answer_date"], found[POSTPONED]["answer_link"]) == (
        "postponed",
        "2026-11-10",
        "",
    )
    assert (found[OPEN]["answer"], found[OPEN]["answer_date"]) == ("none", "")
