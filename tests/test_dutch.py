"""Dutch pages carry no English and no raw codes; times are Amsterdam time; numbers are written the Dutch way."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.accounts.models import AuditEntry
from outreach.database import utcnow
from outreach.directory.delivery import flag_undeliverable, opt_out_token
from outreach.directory.models import DirectoryChange, Member, SyncRun
from outreach.extensions import db
from outreach.labels import AUDIT_ACTIONS
from outreach.outbox import queue
from outreach.outbox.models import DeliveryAttempt
from outreach.privacy.models import PrivacyRequest
from outreach.replies.models import Reply
from tests.builders import campaign, letter, sent_letters

# 1 December, 11:05 UTC is 12:05 in Amsterdam (winter time); 1 July, 11:05 UTC is 13:05 (summer time).
WINTER = datetime(2026, 12, 1, 11, 5, 30)
SUMMER = datetime(2026, 7, 1, 11, 5, 30)
SYNC_ERROR = (
    "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/Feed?category=Persoon: "
    "connection failed (ConnectionError), still after 5 attempts"
)

# English an organiser saw on Dutch pages, and what raw codes look like.
ENGLISH = (
    "connection failed",
    "still after",
    "attempts",
    "connection failures in a row",
    "paused by an organiser",
    "log in",
    "self-service",
    "organiser",
    "members, ",
    "joined",
    "UTC",
)
RAW_CODE = re.compile(
    r"\b(?:outbox|directory|privacy|accounts|campaigns|replies)\.[a-z_]+\b|\bdo_not_write\b|\bretry\b"
)
ROLE_ADMIN = re.compile(r"(?<![\w@.])admin(?![\w@.])")


class VisibleText(HTMLParser):
    """The words a reader sees: text outside <script> and <style>, and <option> labels."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def scene(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    """An outreach that has been at work: sent and failed mail, a pause, syncs, audit entries, privacy requests."""
    with app.app_context():
        live = campaign()
        members = [directory["yesilgoz"], directory["van_der_lee"]]
        sent_letters(live, members, sent_at=WINTER)
        mp = db.session.get(Member, directory["de_vries"])
        waiting = letter(mp, 2)
        db.session.add(
            DeliveryAttempt(
                message_id=waiting.id,
                attempt_no=1,
                worker_id="host-1",
                started_at=WINTER,
                finished_at=WINTER,
                outcome="retry",
                text="connection: [Errno 111] Connection refused",
            )
        )
        waiting.created_at = SUMMER
        flag_undeliverable("a.devries@tweedekamer.example", "550 5.1.1 No such user", WINTER)
        control = queue.control_row()
        # As the worker stored it before this release, so older databases read right too.
        queue.pause(control, "5 connection failures in a row: connection: [Errno 111] Connection refused", WINTER)
        failed = SyncRun(started_at=WINTER, finished_at=WINTER, status="failed", url="x", error=SYNC_ERROR)
        done = SyncRun(
            started_at=SUMMER,
            finished_at=SUMMER,
            status="succeeded",
            url="x",
            members=150,
            parties=15,
            committees=18,
            joined=2,
            left=1,
            changed=3,
            requests=12,
        )
        db.session.add_all([failed, done])
        db.session.flush()
        db.session.add(DirectoryChange(sync_run_id=done.id, member_name="Tom van der Lee", kind="email", new="x@y"))
        for action in AUDIT_ACTIONS:
            db.session.add(AuditEntry(at=WINTER, account_email="org@example.org", action=action))
        db.session.add_all(
            [
                AuditEntry(at=WINTER, account_email="admin@example.org", action="add account", detail="role admin"),
                AuditEntry(
                    at=WINTER,
                    account_email="org@example.org",
                    action="edit member corrections",
                    record_type="Member",
                    record_id=str(mp.id),
                    detail="email, salutation, do_not_write",
                ),
            ]
        )
        for channel, handled_by in (("self_service", "self-service"), ("phone", "org@example.org")):
            db.session.add(
                PrivacyRequest(
                    kind="export",
                    channel=channel,
                    email_hash="h",
                    requested_at=WINTER,
                    handled_at=WINTER,
                    handled_by=handled_by,
                )
            )
        db.session.commit()
        return {
            "campaign": live.id,
            "member": mp.id,
            "message": waiting.id,
            "failed_sync": failed.id,
            "sync": done.id,
            "yesilgoz": directory["yesilgoz"],
        }


def admin_pages(scene: dict[str, int]) -> list[str]:
    return [
        "/admin/",
        "/admin/accounts",
        "/admin/audit",
        "/admin/campaigns/",
        f"/admin/campaigns/{scene['campaign']}",
        f"/admin/campaigns/{scene['campaign']}/edit",
        "/admin/campaigns/new",
        "/admin/campaigns/review",
        "/admin/directory/",
        "/admin/directory/committees",
        f"/admin/directory/members/{scene['member']}",
        "/admin/directory/import",
        "/admin/directory/sync",
        f"/admin/directory/sync/{scene['failed_sync']}",
        f"/admin/directory/sync/{scene['sync']}",
        "/admin/directory/targets",
        "/admin/directory/targets/new",
        "/admin/outbox/",
        f"/admin/outbox/{scene['message']}",
        "/admin/privacy/",
        "/admin/replies/",
        "/admin/replies/new",
        "/admin/reports/",
        f"/admin/reports/{scene['campaign']}",
        f"/admin/reports/{scene['campaign']}/handover",
        f"/admin/reports/{scene['campaign']}/members/{scene['yesilgoz']}",
    ]


def test_dutch_admin_pages_show_no_english_and_no_raw_codes(admin: FlaskClient, scene: dict[str, int]) -> None:
    found = {}
    for url in admin_pages(scene):
        response = admin.get(url)
        assert response.status_code == 200, url
        text = visible(response.get_data(as_text=True))
        english = [word for word in ENGLISH if word in text]
        english += RAW_CODE.findall(text) + ROLE_ADMIN.findall(text)
        if english:
            found[url] = english
    assert found == {}


def test_stored_messages_and_codes_are_shown_in_dutch(admin: FlaskClient, scene: dict[str, int]) -> None:
    sync = visible(admin.get(f"/admin/directory/sync/{scene['failed_sync']}").get_data(as_text=True))
    assert "verbinding mislukt (ConnectionError), nog steeds na 5 pogingen" in sync
    done = visible(admin.get(f"/admin/directory/sync/{scene['sync']}").get_data(as_text=True))
    assert "150 leden, 15 partijen, 18 commissies; 2 toegetreden, 1 vertrokken, 3 gewijzigd" in done
    outbox = visible(admin.get("/admin/outbox/").get_data(as_text=True))
    assert "5 verbindingsfouten achter elkaar: connection: [Errno 111] Connection refused" in outbox
    audit = visible(admin.get("/admin/audit").get_data(as_text=True))
    assert "verzending gepauzeerd" in audit and "ingelogd" in audit
    assert "rol beheerder" in audit and "e-mailadres, aanhef, niet schrijven" in audit
    accounts = visible(admin.get("/admin/accounts").get_data(as_text=True))
    assert "beheerder" in accounts and "organisator" in accounts
    privacy = visible(admin.get("/admin/privacy/").get_data(as_text=True))
    assert "via de website" in privacy


def test_times_are_shown_in_amsterdam_time(admin: FlaskClient, scene: dict[str, int]) -> None:
    sync = visible(admin.get("/admin/directory/sync").get_data(as_text=True))
    assert "01-12-2026, 12:05" in sync  # winter: UTC+1
    assert "01-07-2026, 13:05" in sync  # summer: UTC+2
    assert "11:05" not in sync
    message = visible(admin.get(f"/admin/outbox/{scene['message']}").get_data(as_text=True))
    assert "1 jul 2026, 13:05:30" in message
    admin.get("/language/en")
    english = visible(admin.get("/admin/directory/sync").get_data(as_text=True))
    assert "12/1/26, 12:05 PM" in english.replace("\u202f", " ")


def test_numbers_are_written_the_dutch_way(app: Flask, admin: FlaskClient, directory: dict[str, int]) -> None:
    with app.app_context():
        row = campaign()
        sent_at = utcnow() - timedelta(days=10)
        answered = sent_letters(row, [directory["yesilgoz"], directory["van_der_lee"]], sent_at=sent_at)[0]
        db.session.add(
            Reply(
                dedupe_key="test:answer",
                source="imap",
                kind="answer",
                matched_by="token",
                letter_id=answered.id,
                campaign_id=row.id,
                member_id=answered.member_id,
                received_at=sent_at + timedelta(days=1, hours=12),
                created_at=sent_at,
            )
        )
        db.session.commit()
        campaign_id = row.id
    report = visible(admin.get(f"/admin/reports/{campaign_id}").get_data(as_text=True))
    assert "1,5" in report  # a day and a half to the answer
    assert not re.search(r"\b\d+\.\d\b", report)
    admin.get("/language/en")
    assert "1.5" in visible(admin.get(f"/admin/reports/{campaign_id}").get_data(as_text=True))


def test_an_offices_opt_out_is_noted_for_organisers_in_dutch(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        token = opt_out_token(directory["yesilgoz"])
    client.get("/language/en")  # the office reads the site in English
    client.post(f"/opt-out/{token}")
    with app.app_context():
        note = db.session.get(Member, directory["yesilgoz"]).override.note
    assert note.startswith("Afgemeld via de link onder een brief op ")
    assert "UTC" not in note


def test_large_numbers_carry_the_dutch_thousands_separator(admin: FlaskClient, scene: dict[str, int]) -> None:
    outbox = visible(admin.get("/admin/outbox/").get_data(as_text=True))
    assert re.search(r"wacht al \d{1,3}(?:\.\d{3})+ minuten", outbox), outbox  # queued on 1 July
    admin.get("/language/en")
    outbox = visible(admin.get("/admin/outbox/").get_data(as_text=True))
    assert re.search(r"waited \d{1,3}(?:,\d{3})+ minutes", outbox)


def test_every_action_the_code_logs_has_a_label() -> None:
    """A new audit action without words would show as a code on the Dutch audit log."""
    root = Path(__file__).resolve().parent.parent / "outreach"
    logged = set()
    for source in root.rglob("*.py"):
        for first_argument in re.findall(r"\baudit\(([^,)]*)", source.read_text()):
            logged.update(code for code in re.findall(r'"([^"{]+)"', first_argument))
    assert len(logged) > 20
    assert logged - set(AUDIT_ACTIONS) == set()
