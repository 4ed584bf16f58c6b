"""The agenda sync against a constructed SyncFeed: versions, moves, deletions, replays, a bounded first sync."""

from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.agenda.mirror import CATEGORIES
from outreach.agenda.models import Activity, AgendaItem, AgendaLink, Case, Decision, Vote
from outreach.agenda.sync import run_agenda_sync
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from tests.tkagenda import Business
from tests.tkfeed import Feed, guid, serve

NOW = datetime(2026, 12, 1, 12, 0)


def sync(app: Flask, feed: Feed):
    with app.app_context():
        result = run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, backoff=0), now=NOW)
        db.session.commit()
        return result


def activity(app: Flask, key: str) -> Activity | None:
    with app.app_context():
        row = db.session.get(Activity, guid(key))
        if row is not None:
            db.session.expunge(row)
        return row


def test_a_debate_moved_twice_then_held_shows_its_last_date_and_status(app: Flask) -> None:
    feed = Feed()
    b = Business(feed)
    b.activity("debat", "Zuidelijke Kaukasus", "2026-12-03", updated="2026-11-20T09:00:00Z")
    b.activity("debat", "Zuidelijke Kaukasus", "2026-12-10", status="Verplaatst", updated="2026-11-25T09:00:00Z")
    with serve(feed):
        sync(app, feed)
        assert activity(app, "debat").day == date(2026, 12, 10)
        b.activity(
            "debat", "Zuidelijke Kaukasus", "2026-12-17", "10:00", status="Verplaatst", updated="2026-11-28T09:00:00Z"
        )
        b.activity(
            "debat", "Zuidelijke Kaukasus", "2026-12-17", "10:00", status="Uitgevoerd", updated="2026-12-17T12:00:00Z"
        )
        # a re-publication of the first version, older than what is stored: ignored
        b.activity("debat", "Zuidelijke Kaukasus", "2026-12-03", updated="2026-11-20T09:00:00Z")
        sync(app, feed)
    held = activity(app, "debat")
    assert (held.day, held.status) == (date(2026, 12, 17), "Uitgevoerd")
    assert held.starts_at == datetime(2026, 12, 17, 9, 0)  # 10:00 in Amsterdam is 09:00 UTC in winter
    assert held.committee_abbreviation == "BuZa"


def test_a_cancelled_debate_and_a_deleted_activity(app: Flask) -> None:
    feed = Feed()
    b = Business(feed)
    b.activity("afgelast", "Azerbeidzjan", "2026-12-04")
    b.activity("weg", "Nagorno-Karabach", "2026-12-05")
    with serve(feed):
        sync(app, feed)
        b.activity("afgelast", "Azerbeidzjan", "2026-12-04", status="Geannuleerd", updated="2026-11-29T09:00:00Z")
        b.delete("Activiteit", "activiteit", "weg", updated="2026-11-29T09:00:00Z")
        b.activity("weg", "Nagorno-Karabach", "2026-12-05", updated="2026-11-20T09:00:00Z")  # an older replay
        sync(app, feed)
    assert activity(app, "afgelast").status == "Geannuleerd"
    gone = activity(app, "weg")
    assert gone.deleted and gone.subject is None  # a tombstone, without its fields


def test_an_agenda_item_moved_to_another_activity_and_a_case_on_two_items(app: Flask) -> None:
    feed = Feed()
    b = Business(feed)
    b.activity("eerste", "Buitenlandse Raad", "2026-12-02")
    b.activity("tweede", "Buitenlandse Raad", "2026-12-09")
    b.item("punt", "eerste", "Brief over de Zuidelijke Kaukasus")
    b.case("motie", "Motie", "Motie over Khojaly", items=("punt", "punt-2"))
    with serve(feed):
        sync(app, feed)
        b.item("punt", "tweede", "Brief over de Zuidelijke Kaukasus", updated="2026-11-27T09:00:00Z")
        b.case("motie", "Motie", "Motie over Khojaly", items=("punt",), updated="2026-11-27T09:00:00Z")
        sync(app, feed)
    with app.app_context():
        assert db.session.get(AgendaItem, guid("punt")).activity_tk_id == guid("tweede")
        links = db.session.scalars(select(AgendaLink.target_tk_id).where(AgendaLink.source_tk_id == guid("motie")))
        assert list(links) == [guid("punt")]
        assert db.session.get(Case, guid("motie")).kind == "Motie"


def test_decisions_over_time_and_votes_with_a_mistake(app: Flask) -> None:
    feed = Feed()
    b = Business(feed)
    b.case("motie", "Motie", "Motie over Khojaly")
    b.decision("b1", "punt-1", "motie", "Aangehouden")
    b.decision("b2", "punt-2", "motie", "Aangenomen.", "Met handopsteken")
    b.vote("v1", "b2", "vvd", "VVD", "Voor", 22)
    b.vote("v2", "b2", "pvv", "PVV", "Tegen", 26, mistaken=True)
    with serve(feed):
        sync(app, feed)
    with app.app_context():
        decided = db.session.scalars(
            select(Decision.text)
            .join(AgendaLink, AgendaLink.source_tk_id == Decision.tk_id)
            .where(AgendaLink.target_tk_id == guid("motie"))
            .order_by(Decision.text)
        )
        assert list(decided) == ["Aangehouden", "Aangenomen."]
        mistaken = db.session.get(Vote, guid("v2"))
        assert (mistaken.choice, mistaken.party, mistaken.mistaken, mistaken.party_size) == ("Tegen", "PVV", True, 26)


def test_a_first_sync_reads_only_the_last_months_and_a_second_one_request_per_category(app: Flask) -> None:
    feed = Feed(page_size=25)
    old = Business(feed, updated="2019-03-01T09:00:00Z")
    for n in range(2000):
        old.vote(f"oud-{n}", "b-oud", "vvd", "VVD", "Voor", 22)
    old.activity("oud-debat", "Khojaly", "2019-03-05")
    recent = Business(feed, updated="2026-06-01T09:00:00Z")
    for n in range(40):
        recent.vote(f"nieuw-{n}", "b-nieuw", "vvd", "VVD", "Voor", 22)
    recent.activity("nieuw-debat", "Khojaly", "2026-12-10")
    with serve(feed):
        first = sync(app, feed)
        second = sync(app, feed)
    with app.app_context():
        assert db.session.get(Vote, guid("nieuw-39")) is not None
        assert db.session.get(Vote, guid("oud-5")) is None  # before the bound: never read
        assert db.session.get(Activity, guid("nieuw-debat")) is not None
        assert db.session.get(Activity, guid("oud-debat")) is None
    assert first.changed == 41
    assert first.requests < 2000 / 25  # reading the whole history would take 80 pages of votes alone
    assert second.requests == len(CATEGORIES) and second.changed == 0


def test_sync_agenda_command_reports_what_changed(app: Flask, runner: FlaskCliRunner) -> None:
    feed = Feed()
    Business(feed).activity("debat", "Khojaly", "2026-12-03")
    with serve(feed):
        result = runner.invoke(args=["agenda", "sync", "--url", feed.base_url])
    assert result.exit_code == 0, result.output
    assert "1 entities changed" in result.output


def test_sync_agenda_command_explains_an_unreachable_feed(app: Flask, runner: FlaskCliRunner) -> None:
    app.config.update(TK_SYNC_ATTEMPTS=1)
    result = runner.invoke(args=["agenda", "sync", "--url", "http://127.0.0.1:9/SyncFeed/2.0/Feed"])
    assert result.exit_code == 1
    assert "The sync stopped" in result.output and "Traceback" not in result.output
