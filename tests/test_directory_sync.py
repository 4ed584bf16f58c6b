"""The directory sync against a constructed SyncFeed served over HTTP: first sync, changes, faults, resumption."""

import json
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from outreach.directory.mirror import TkEntity
from outreach.directory.models import DirectoryChange, Member, MemberOverride, SyncRun
from outreach.directory.sync import run_sync
from outreach.directory.syncfeed import CATEGORIES, Client, SyncFeedError
from outreach.extensions import db
from tests.tkfeed import Fault, Feed, House, entity_xml, guid, serve

TODAY = date(2026, 11, 24)


def first_house(feed: Feed) -> None:
    """Six members of three parties on two committees, plus the history and the noise the real feed carries."""
    h = House(feed)
    h.party("vvd", "VVD", "Volkspartij voor Vrijheid en Democratie", "22")
    h.party("d66", "D66", "Democraten 66", "26")
    h.party("gl-old", "GL", "GroenLinks", "8", active_until="2023-12-05")
    h.party("glpvda", "GL-PvdA", "GroenLinks-PvdA", "20")

    h.person("anna", "5001", "Anna", "de", "Wit", "vrouw")
    h.person("bram", "5002", "Bram", "van der", "Berg", "man")
    h.person("cem", "5003", "Cem", None, "Ozturk", "man", updated="2025-11-12T09:00:00Z")
    h.person("cem", "5003", "Cem", None, "Öztürk", "man", updated="2025-11-13T09:00:00Z")  # corrected later
    h.person("dirk", "5004", "Dirk", "'t", "Hooft", "man")
    h.person("eva", "5005", "Eva", "in 't", "Veld-Jansen", "vrouw")
    h.person("frank", "5006", "Frank", None, "Mulder", "man")
    h.person("henk", "4001", "Henk", None, "Oud", "man", function="Oud Kamerlid")
    h.person("senator", "3001", "Sera", None, "Senaat", "vrouw", function="Eerste Kamerlid")
    h.person("placeholder", None, None, None, None, None)

    h.party_seat("s-anna", "anna", "vvd", "2023-12-06")
    h.party_seat("s-bram", "bram", "d66", "2025-11-12", function="Fractievoorzitter")
    h.party_seat("s-cem", "cem", "d66", "2025-11-12")
    h.party_seat("s-dirk", "dirk", "vvd", "2025-11-12")
    h.party_seat("s-eva", "eva", "glpvda", "2023-12-06")
    h.party_seat("s-frank-old", "frank", "gl-old", "2017-03-23", "2023-12-05")
    h.party_seat("s-frank", "frank", "glpvda", "2023-12-06")
    h.party_seat("s-henk", "henk", "vvd", "2017-03-23", "2021-03-30")
    h.party_seat("s-placeholder", "placeholder", "vvd", "2025-11-12")
    feed.add("FractieZetelPersoon", entity_xml("fractieZetelPersoon", "s-deleted", deleted=True))

    h.contact("c-anna-private", "anna", "E-mail", "anna.dewit@example.org", "0")
    h.contact("c-anna", "anna", "E-mail", "a.dewit@tweedekamer.nl", "2")
    h.contact("c-anna-old", "anna", "E-mail", "anna.old@tweedekamer.nl", "1", deleted=True)
    h.contact("c-anna-web", "anna", "Website", "https://example.org/anna", "1")
    h.contact("c-bram", "bram", "E-mail", "b.vdberg@tweedekamer.nl", "1")
    h.contact("c-cem", "cem", "E-mail", "c.ozturk@tweedekamer.nl", "1")
    h.contact("c-eva", "eva", "E-mail", "e.intveld@tweedekamer.nl", "1")
    h.contact("c-frank", "frank", "E-mail", "f.mulder@tweedekamer.nl", "1")
    h.contact("c-henk", "henk", "E-mail", "h.oud@tweedekamer.nl", "1")

    h.committee("buza", "BuZa", "vaste commissie voor Buitenlandse Zaken")
    h.committee("def", "DEF", "vaste commissie voor Defensie")
    h.committee("gone", "TCX", "tijdelijke commissie X", active_until="2020-06-30")
    h.committee_seat("cz-anna-buza", "anna", "buza", "Voorzitter")
    h.committee_seat("cz-anna-def", "anna", "def", "Plv. lid", substitute=True)
    h.committee_seat("cz-bram-buza", "bram", "buza", "Lid")
    h.committee_seat("cz-cem-def", "cem", "def", "Voorzitter")
    h.committee_seat("cz-eva-def", "eva", "def", "Lid")
    h.committee_seat("cz-frank-buza", "frank", "buza", "Ondervoorzitter")
    h.committee_seat("cz-henk-buza", "henk", "buza", "Lid", start="2017-03-30", end="2021-03-30")
    h.committee_seat("cz-dirk-gone", "dirk", "gone", "Lid", start="2019-01-01", end="2020-06-30")
    feed.add(
        "CommissieContactinformatie",
        entity_xml(
            "commissieContactinformatie",
            "cc-buza",
            {"soort": "Griffier", "waarde": "Mr. A. Griffier", "gewicht": "1"},
            {"commissie": "buza"},
        ),
    )


def changes_to_house(feed: Feed) -> None:
    """Bram switches party, Frank leaves and Gina succeeds him, Eva's address changes, committee roles move."""
    h = House(feed)
    h.party_seat("s-bram", "bram", "d66", "2025-11-12", "2026-05-31", function="Fractievoorzitter")
    h.party_seat("s-bram-vvd", "bram", "vvd", "2026-06-01")
    h.party_seat("s-frank", "frank", "glpvda", "2023-12-06", "2026-09-01")
    h.person("frank", "5006", "Frank", None, "Mulder", "man", function="Oud Kamerlid", updated="2026-09-02T08:00:00Z")
    h.person("gina", "5007", "Gina", None, "Bakker", "vrouw")
    h.party_seat("s-gina", "gina", "glpvda", "2026-09-02")
    h.contact("c-gina", "gina", "E-mail", "g.bakker@tweedekamer.nl", "1")
    h.contact("c-eva", "eva", "E-mail", "eva.intveld@tweedekamer.nl", "1")
    h.committee_seat("cz-anna-buza", "anna", "buza", "Voorzitter", end="2026-10-01")
    h.committee_seat("cz-anna-buza-2", "anna", "buza", "Lid", start="2026-10-02")
    h.committee_seat("cz-cem-buza", "cem", "buza", "Plv. lid", substitute=True, start="2026-10-02")
    h.person("cem", "5003", "Cem", None, "Ozturk", "man", updated="2025-11-12T09:00:00Z")  # a replay of old data


def buza(role: str, substitute: bool = False) -> dict:
    return {
        "abbreviation": "BuZa",
        "name": "vaste commissie voor Buitenlandse Zaken",
        "role": role,
        "substitute": substitute,
    }


def defence(role: str, substitute: bool = False) -> dict:
    return {"abbreviation": "DEF", "name": "vaste commissie voor Defensie", "role": role, "substitute": substitute}


def record(key: str, **values: object) -> dict:
    return {"tk_id": guid(key), **values}


EXPECTED_FIRST = [
    record(
        "bram",
        name="Bram van der Berg",
        first_name="Bram",
        prefix="van der",
        surname="Berg",
        gender="man",
        party="D66",
        email="b.vdberg@tweedekamer.nl",
        salutation="Geachte heer Van der Berg,",
        committees=[buza("Lid")],
    ),
    record(
        "dirk",
        name="Dirk 't Hooft",
        first_name="Dirk",
        prefix="'t",
        surname="Hooft",
        gender="man",
        party="VVD",
        email=None,
        salutation="Geachte heer 't Hooft,",
        committees=[],
    ),
    record(
        "frank",
        name="Frank Mulder",
        first_name="Frank",
        prefix=None,
        surname="Mulder",
        gender="man",
        party="GL-PvdA",
        email="f.mulder@tweedekamer.nl",
        salutation="Geachte heer Mulder,",
        committees=[buza("Ondervoorzitter")],
    ),
    record(
        "cem",
        name="Cem Öztürk",
        first_name="Cem",
        prefix=None,
        surname="Öztürk",
        gender="man",
        party="D66",
        email="c.ozturk@tweedekamer.nl",
        salutation="Geachte heer Öztürk,",
        committees=[defence("Voorzitter")],
    ),
    record(
        "eva",
        name="Eva in 't Veld-Jansen",
        first_name="Eva",
        prefix="in 't",
        surname="Veld-Jansen",
        gender="vrouw",
        party="GL-PvdA",
        email="e.intveld@tweedekamer.nl",
        salutation="Geachte mevrouw In 't Veld-Jansen,",
        committees=[defence("Lid")],
    ),
    record(
        "anna",
        name="Anna de Wit",
        first_name="Anna",
        prefix="de",
        surname="Wit",
        gender="vrouw",
        party="VVD",
        email="a.dewit@tweedekamer.nl",
        salutation="Geachte mevrouw De Wit,",
        committees=[buza("Voorzitter"), defence("Plv. lid", substitute=True)],
    ),
]

EXPECTED_SECOND = [
    record(
        "gina",
        name="Gina Bakker",
        first_name="Gina",
        prefix=None,
        surname="Bakker",
        gender="vrouw",
        party="GL-PvdA",
        email="g.bakker@tweedekamer.nl",
        salutation="Geachte mevrouw Bakker,",
        committees=[],
    ),
    {**EXPECTED_FIRST[0], "party": "VVD"},
    EXPECTED_FIRST[1],
    {**EXPECTED_FIRST[3], "committees": [defence("Voorzitter"), buza("Plv. lid", substitute=True)]},
    {**EXPECTED_FIRST[4], "email": "eva.intveld@tweedekamer.nl"},
    {**EXPECTED_FIRST[5], "committees": [buza("Lid"), defence("Plv. lid", substitute=True)]},
]


def exported(runner: FlaskCliRunner) -> list[dict]:
    result = runner.invoke(args=["directory", "export"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def quick_client(feed: Feed, sleeps: list[float] | None = None) -> Client:
    return Client(
        feed.base_url,
        timeout=3,  # a hung page is given up after this; a loaded machine still answers the others well within it
        attempts=3,
        backoff=0.5,
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
    )


def sync(feed: Feed, sleeps: list[float] | None = None, workers: int = 3) -> SyncRun:
    return run_sync(feed.base_url, client_factory=lambda: quick_client(feed, sleeps), today=TODAY, workers=workers)


@pytest.fixture
def feed() -> Feed:
    with serve(Feed()) as served:
        yield served


def test_first_sync_builds_the_directory_despite_a_503_and_a_timeout(
    app: Flask, runner: FlaskCliRunner, feed: Feed
) -> None:
    first_house(feed)
    feed.fail("Persoon", Fault("status", status=503, body=b"Service Unavailable"))
    feed.fail("FractieZetelPersoon", Fault("hang"))
    sleeps: list[float] = []
    with app.app_context():
        run = sync(feed, sleeps)
        assert run.summary == "6 members, 3 parties, 2 committees; 6 joined, 0 left, 0 changed"
    assert exported(runner) == EXPECTED_FIRST
    assert len(sleeps) == 2 and all(0.25 <= s <= 0.75 for s in sleeps)  # one backoff per fault, with jitter
    assert len(feed.requests_for("Persoon")) > 2  # several pages (page size 3)


def test_a_retry_after_is_honoured_in_ascii_digits_only(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    first_house(feed)
    busy = b"Service Unavailable"
    feed.fail("Persoon", Fault("status", status=503, body=busy, retry_after="2"))
    feed.fail("Persoon", Fault("status", status=503, body=busy, retry_after="\u00b2"))  # a superscript two
    sleeps: list[float] = []
    with app.app_context():
        run = sync(feed, sleeps)
        assert run.summary == "6 members, 3 parties, 2 committees; 6 joined, 0 left, 0 changed"
    assert sleeps[0] == 2.0 and 0.25 <= sleeps[1] <= 1.5  # the second waits by backoff, as with no header


def test_second_sync_applies_every_change_and_logs_it(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    first_house(feed)
    with app.app_context():
        sync(feed)
    changes_to_house(feed)
    with app.app_context():
        run = sync(feed)
        assert run.summary == "6 members, 3 parties, 2 committees; 1 joined, 1 left, 4 changed"
        log = {(c.member_name, c.kind, c.old, c.new) for c in run.changes}
    assert log == {
        ("Gina Bakker", "joined", None, "GL-PvdA"),
        ("Frank Mulder", "left", "GL-PvdA", None),
        ("Bram van der Berg", "party", "D66", "VVD"),
        ("Eva in 't Veld-Jansen", "email", "e.intveld@tweedekamer.nl", "eva.intveld@tweedekamer.nl"),
        ("Anna de Wit", "committee", "BuZa: Voorzitter", "BuZa: Lid"),
        ("Cem Öztürk", "committee", None, "BuZa: Plv. lid"),
    }
    assert exported(runner) == EXPECTED_SECOND
    with app.app_context():
        frank = db.session.scalar(select(Member).where(Member.surname == "Mulder"))
        assert frank is not None and not frank.is_current and not frank.can_be_written_to


def test_a_sync_without_changes_costs_one_request_per_category(app: Flask, feed: Feed) -> None:
    first_house(feed)
    with app.app_context():
        sync(feed)
        feed.requests.clear()
        run = sync(feed)
        assert run.requests == len(CATEGORIES) == len(feed.requests)
        assert run.summary == "6 members, 3 parties, 2 committees; 0 joined, 0 left, 0 changed"
        assert run.entities_changed == 0


def test_organiser_overrides_survive_every_sync(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    first_house(feed)
    with app.app_context():
        sync(feed)
        anna = db.session.scalar(select(Member).where(Member.surname == "Wit"))
        anna.override = MemberOverride(email="anna.office@tweedekamer.nl", salutation="Beste Anna,", note="via griffie")
        db.session.commit()
    changes_to_house(feed)
    with app.app_context():
        sync(feed)
    anna = next(r for r in exported(runner) if r["surname"] == "Wit")
    assert (anna["email"], anna["salutation"]) == ("anna.office@tweedekamer.nl", "Beste Anna,")


def test_a_sync_replaces_the_demo_directory(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    assert runner.invoke(args=["directory", "demo"]).exit_code == 0
    first_house(feed)
    with app.app_context():
        sync(feed)
        assert db.session.scalar(select(func.count(Member.id))) == 6
    assert "Demonstratiegegevens" not in app.test_client().get("/members").get_data(as_text=True)
    assert runner.invoke(args=["directory", "demo"]).exit_code != 0


def test_an_interrupted_sync_resumes_and_loses_or_duplicates_nothing(
    app: Flask, runner: FlaskCliRunner, feed: Feed
) -> None:
    first_house(feed)
    feed.page_size = 2
    # One category at a time, in order: the eighth fails beyond every retry and the sync stops there.
    feed.fail("CommissieZetelVastPersoon", *[Fault("status", status=500)] * 3)
    with app.app_context(), pytest.raises(SyncFeedError, match="HTTP 500"):
        sync(feed, workers=1)
    assert exported(runner) == []  # the directory was not touched
    with app.app_context():
        failed = db.session.scalars(select(SyncRun)).one()
        assert failed.status == "failed" and "HTTP 500" in failed.error
        stored_before = db.session.scalar(select(func.count()).select_from(TkEntity))
    assert stored_before > 0

    persons_before = len(feed.requests_for("Persoon"))
    feed.requests.clear()
    with app.app_context():
        sync(feed)
        assert db.session.scalar(select(func.count()).select_from(TkEntity)) == 56  # each entity once
    assert exported(runner) == EXPECTED_FIRST
    assert persons_before > 1 and feed.requests_for("Persoon") == [feed.requests_for("Persoon")[0]]
    assert feed.requests_for("Persoon")[0] is not None  # resumed from its cursor, not from the start


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            Fault("status", body=b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", content_type="text/xml"),
            "not valid XML",
        ),
        (Fault("status", body=b"<!DOCTYPE html><html><body>Onderhoud</body></html>"), "an HTML page"),
        (Fault("status", body=b'{"value": []}', content_type="application/json"), "not valid XML"),
        (Fault("status", body=b"<html><body><p>Error</p></body></html>"), "an HTML page"),
        (Fault("status", body=b"<rss><channel/></rss>", content_type="text/xml"), "instead of an Atom feed"),
        (Fault("redirect", location="http://169.254.169.254/latest/meta-data/"), "redirect to another host"),
        (Fault("status", status=404, body=b"gone"), "answered HTTP 404"),
    ],
)
def test_bad_answers_abort_with_a_clear_message_and_leave_the_directory(
    app: Flask, runner: FlaskCliRunner, feed: Feed, fault: Fault, message: str
) -> None:
    assert runner.invoke(args=["directory", "demo"]).exit_code == 0
    first_house(feed)
    feed.fail("Fractie", fault)
    result = runner.invoke(args=["directory", "sync", "--url", feed.base_url])
    assert result.exit_code == 1
    assert message in result.output and "The directory was left as it was" in result.output
    assert "Traceback" not in result.output
    assert len(exported(runner)) == 150  # still the demo directory


def test_sync_command_prints_progress_changes_and_summary(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    first_house(feed)
    app.config["TK_SYNCFEED_URL"] = feed.base_url
    result = runner.invoke(args=["directory", "sync"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Syncing the directory from {feed.base_url}"
    assert sum("caught up" in line for line in lines) == len(CATEGORIES)
    assert "  joined    Anna de Wit: - -> VVD" in lines
    assert lines[-1].startswith("6 members, 3 parties, 2 committees; 6 joined, 0 left, 0 changed (")
    with app.app_context():
        assert db.session.scalar(select(func.count(DirectoryChange.id))) == 6


def test_the_feed_without_namespace_prefixes_parses_the_same(app: Flask, runner: FlaskCliRunner, feed: Feed) -> None:
    first_house(feed)
    for category, entries in feed.entries.items():
        feed.entries[category] = [
            (
                token,
                xml.replace(' xmlns="http://www.tweedekamer.nl/xsd/tkData/v1-0"', "")
                .replace(' xmlns:tk="http://www.tweedekamer.nl/xsd/tkData/v1-0"', "")
                .replace("tk:", ""),
            )
            for token, xml in entries
        ]
    with app.app_context():
        sync(feed)
    assert exported(runner) == EXPECTED_FIRST
