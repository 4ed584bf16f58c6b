"""Privacy by design: every personal column is in the register; retention removes texts and then identities while
the statistics stay; a supporter sees, downloads and erases their own data with a link that works once."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import LargeBinary, String, Text, select

from outreach.accounts.models import AuditEntry
from outreach.campaigns import tokens
from outreach.campaigns.models import Letter, Submission
from outreach.campaigns.submit import CONSENT_VERSION
from outreach.config import DEFAULTS
from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox.models import NOTICE, OutboxMessage
from outreach.privacy import register, subject
from outreach.privacy.models import PrivacyRequest
from outreach.privacy.retention import purge
from outreach.replies import survey
from outreach.replies.ingest import ingest
from outreach.reports import stats
from tests.builders import LETTER_NL, campaign
from tests.campaign_helpers import confirmation_messages, confirmation_path, send_letter
from tests.conftest import logged_in

CANARY = "canary.7f3@example.org"
SENTENCES = (
    "Mijn grootvader woonde in Khojaly tot de winter van 1992.",
    "Ik hoop op een besluit van de Kamer dit jaar.",
)
SUBJECT = "Khojaly en de familie Aliyeva-Canary"  # an edited subject says something about the writer too
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {
        "FORM_MIN_SECONDS": 0,
        "REPLY_ADDRESS": "replies@campaign.example",
        "BOUNCE_ADDRESS": "bounces@campaign.example",
    }


def test_every_table_and_personal_column_is_in_the_register(app: Flask) -> None:
    with app.app_context():
        for table in db.metadata.sorted_tables:
            assert table.name in register.PERSONAL or table.name in register.OTHER, f"{table.name}: not in the register"
            if table.name in register.PERSONAL:
                listed = set(register.PERSONAL[table.name])
                columns = {column.name for column in table.columns}
                assert columns == listed, f"{table.name}: {sorted(columns ^ listed)} not (or no longer) in the register"


def scan(*needles: str) -> list[tuple[str, str]]:
    """Every (table, column) in the whole database where one of the needles occurs (case-insensitive)."""
    hits = []
    wanted = [needle.lower() for needle in needles]
    for table in db.metadata.sorted_tables:
        textual = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
        for row in db.session.execute(select(*textual)) if textual else []:
            for column, value in zip(textual, row, strict=True):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else (value or "")
                if any(needle in text.lower() for needle in wanted):
                    hits.append((table.name, column.name))
    return sorted(set(hits))


@pytest.fixture
def canary(app: Flask, client: FlaskClient, directory: dict[str, int]) -> dict[str, object]:
    """A supporter who writes to two members, confirms, whose letters go out; one member answers (quoting the
    letter), the other's server bounces it (the supporter gets a copy), the supporter thanks on the thread and
    answers the survey pasting the answer. Every outgoing e-mail counts as sent."""
    with app.app_context():
        campaign()
    keys = [f"member:{directory['van_der_lee']}", f"member:{directory['de_vries']}"]
    body = LETTER_NL.replace("{salutation}\n\n", "{salutation}\n\n" + " ".join(SENTENCES) + "\n\n")
    assert send_letter(client, keys, email=CANARY, body=body, subject=SUBJECT).status_code == 302
    with app.app_context():
        path = confirmation_path(confirmation_messages()[0])
    assert client.post(path).status_code == 302
    with app.app_context():
        start = utcnow()
        mark_everything_sent(start)
        first, second = db.session.scalars(select(Letter).order_by(Letter.id)).all()
        one, two = (
            db.session.get(OutboxMessage, first.outbox_message_id),
            db.session.get(OutboxMessage, second.outbox_message_id),
        )
        answer = (
            "From: Tom van der Lee <t.vdlee@tweedekamer.example>\r\n"
            f"To: {CANARY}, replies+{one.bounce_token}@campaign.example\r\n"
            f"Subject: Re: {SUBJECT}\r\nMessage-ID: <answer-1@tk.example>\r\nIn-Reply-To: {one.message_id}\r\n"
            f"Date: {start.strftime('%a, %d %b %Y %H:%M:%S')} +0000\r\n\r\nIk steun uw verzoek.\r\n\r\n"
            f"Op maandag schreef {CANARY}:\r\n> {SENTENCES[0]}\r\n"
        )
        thanks = (
            f"From: {CANARY}\r\nTo: replies+{one.bounce_token}@campaign.example\r\nSubject: Re: Erkenning\r\n"
            f"Message-ID: <thanks-1@example.org>\r\n\r\nDank u! {SENTENCES[1]}\r\n"
        )
        bounce = (
            f"From: MAILER-DAEMON@mx.example\r\nTo: bounces+{two.bounce_token}@campaign.example\r\n"
            "Subject: Undelivered Mail\r\nMessage-ID: <bounce-1@mx.example>\r\n\r\n550 5.1.1 User unknown\r\n"
        )
        for raw in (answer, thanks, bounce):
            ingest(raw.encode(), "imap", start)
        db.session.commit()
        survey.send_due(start + timedelta(days=14, hours=1))
        survey.record(first, "replied", f"Het antwoord: {SENTENCES[0]}", start + timedelta(days=15))
        asked = survey.send(first.submission, [(first, start)], start + timedelta(days=14))  # (answered by mail)
        by_mail = (  # the supporter answers the survey e-mail by mail instead: it waits in the inbox
            f"From: Aysel Mammadova <{CANARY}>\r\nTo: noreply@outreach.localhost\r\nSubject: Re: {asked.subject}\r\n"
            f"Message-ID: <survey-answer@example.org>\r\nIn-Reply-To: {asked.message_id}\r\n\r\n{SENTENCES[1]}\r\n"
        )
        ingest(by_mail.encode(), "imap", start + timedelta(days=15))
        mark_everything_sent(start)
        db.session.commit()
        result = {"start": start, "campaign_id": first.campaign_id, "letters": [first.id, second.id]}
    return result


def mark_everything_sent(at) -> None:
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")):
        message.status, message.sent_at, message.attempts = "sent", at, 1
    db.session.commit()


def numbers(campaign_id: int, now) -> list[tuple]:
    report = stats.report(campaign_id, now)
    per_member = sorted((key, r.sent, r.answered, r.counted, dict(r.stances)) for key, r in report.members.items())
    overall = report.overall
    return [(overall.sent, overall.answered, overall.counted, overall.pending), *per_member]


def test_after_the_retention_periods_nothing_of_the_canary_is_left_and_the_statistics_stand(
    app: Flask, canary: dict[str, object]
) -> None:
    start = canary["start"]
    later = start + timedelta(days=800)
    with app.app_context():
        assert scan(CANARY) and scan(*SENTENCES)  # the scan finds them while they are there
        before = numbers(canary["campaign_id"], later)
        assert before[0][:3] == (1, 1, 1)  # one letter delivered and answered (the other bounced)

        purge(start + timedelta(days=57))  # within the window: nothing goes yet
        db.session.commit()
        assert scan(*SENTENCES)

        purge(start + timedelta(days=59))  # texts go 58 days after sending; identity stays (24 months)
        db.session.commit()
        assert scan(*SENTENCES, SUBJECT) == []
        assert scan(CANARY)
        assert "[removed: " in db.session.scalars(select(Letter.body)).first()

        purge(start + timedelta(days=731))
        db.session.commit()
        assert scan(CANARY) == [] and scan("Aysel Mammadova") == [] and scan(*SENTENCES, SUBJECT) == []
        assert numbers(canary["campaign_id"], later) == before

        again = purge(start + timedelta(days=732))  # idempotent
        assert not any(again.values())


def test_a_newsletter_subscriber_keeps_their_identity(app: Flask, canary: dict[str, object]) -> None:
    from outreach.campaigns.models import Supporter

    with app.app_context():
        db.session.scalars(select(Supporter)).one().newsletter = True
        db.session.commit()
        purge(canary["start"] + timedelta(days=731))
        db.session.commit()
        assert scan(CANARY) == [("supporter", "email")]
        assert scan(*SENTENCES) == []


def test_the_export_holds_every_row_that_refers_to_the_supporter(app: Flask, canary: dict[str, object]) -> None:
    with app.app_context():
        held = subject.export(CANARY)
        # Found independently: every row holding the address or a sentence of the letter, and the rows that the
        # schema links to the supporter's own rows.
        tables_with_text = {table for table, _column in scan(CANARY, *SENTENCES)}
        assert tables_with_text <= set(held["tables"]), tables_with_text - set(held["tables"])
        for table in ("supporter", "submission", "letter", "submission_fingerprint", "outbox_message", "reply"):
            assert held["tables"][table], table
        assert {"survey", "survey_answer"} <= set(held["tables"])  # found through the schema's foreign keys
        # The answer, the thanks, the bounce, the pasted survey answer and the answer to the survey e-mail.
        assert len(held["tables"]["letter"]) == 2 and len(held["tables"]["reply"]) == 5
        assert SENTENCES[0] in json.dumps(held, ensure_ascii=False)


def ask_for_link(client: FlaskClient, email: str = CANARY) -> str | None:
    assert client.post("/privacy/my-data", data={"email": email}).status_code == 302
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == NOTICE).order_by(OutboxMessage.id.desc())
    ).first()
    assert message.recipient == email
    found = re.search(r"http://[^/]+(/privacy/my-data/\S+)", message.body)
    return found.group(1) if found else None


def test_self_service_shows_downloads_and_erases_with_a_link_that_works_once(
    app: Flask, client: FlaskClient, canary: dict[str, object]
) -> None:
    with app.app_context():
        link = ask_for_link(client)
        second_link = ask_for_link(client)  # asked twice: erasing with one link ends the other too
    scanner = app.test_client().get(link)  # a mail scanner opening the link sees a button, and uses nothing up
    assert scanner.status_code == 200 and SENTENCES[0] not in scanner.get_data(as_text=True)
    assert client.post(link).status_code == 302  # the supporter presses it
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert SENTENCES[0] in html and "submission" in html
    download = client.get(link + "/download")
    assert download.mimetype == "application/json" and download.json["email"] == CANARY
    assert app.test_client().get(link).status_code == 410  # another browser: the link was used
    assert app.test_client().post(link).status_code == 410

    erased = client.post(link + "/erase")
    assert erased.status_code == 302
    assert client.get(link).status_code == 410  # replayed
    assert client.post(link + "/erase").status_code == 410
    assert client.get(second_link).status_code == 410
    with app.app_context():
        assert scan(CANARY) == [] and scan(*SENTENCES, SUBJECT) == [] and scan("Aysel Mammadova") == []
        rows = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        assert [(r.kind, r.email, r.handled_by) for r in rows] == [
            ("erasure", None, "self-service"),
            ("export", None, None),
        ]
        assert rows[0].email_hash == subject.address_hash(CANARY)
        survey.send_due(canary["start"] + timedelta(days=22))  # no reminder to someone who is gone
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "queued")) is None
        assert numbers(canary["campaign_id"], canary["start"] + timedelta(days=40))[0][:3] == (1, 1, 1)


def test_tampered_expired_and_unknown_links_do_nothing(
    app: Flask, client: FlaskClient, canary: dict[str, object]
) -> None:
    with app.app_context():
        link = ask_for_link(client)
        assert ask_for_link(client, "nobody@example.org") is None  # no data: the e-mail says so, without a link
        request_id = db.session.scalars(select(PrivacyRequest.id).order_by(PrivacyRequest.id)).first()
    with app.test_request_context():
        expired = tokens.sign(request_id, "privacy-request", now=time.time() - 3601)  # an hour and a second ago
    assert client.get(link[:-3] + "xyz").status_code == 400
    assert client.get(f"/privacy/my-data/{expired}").status_code == 410
    assert client.post(f"/privacy/my-data/{expired}/erase").status_code == 410
    with app.app_context():
        assert scan(CANARY)  # still there


def test_erasure_cancels_letters_not_sent_yet(app: Flask, client: FlaskClient, directory: dict[str, int]) -> None:
    with app.app_context():
        campaign()
    send_letter(client, [f"member:{directory['yesilgoz']}"], email=CANARY)
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
        letter_message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "letter")).one()
        assert letter_message.status == "queued"
        assert subject.erase(CANARY, utcnow())
        db.session.commit()
        assert db.session.get(OutboxMessage, letter_message.id).status == "cancelled"
        assert scan(CANARY) == []
        assert survey.send_due(utcnow() + timedelta(days=15)) == (0, 0)


def test_organisers_handle_requests_by_post_and_the_handling_is_recorded(
    app: Flask, organiser: FlaskClient, canary: dict[str, object]
) -> None:
    shown = organiser.post("/admin/privacy/", data={"email": CANARY, "kind": "export", "channel": "post"})
    assert shown.status_code == 200 and "submission: 1" in shown.get_data(as_text=True)
    download = organiser.post(
        "/admin/privacy/", data={"email": CANARY, "kind": "export", "channel": "post", "download": "1"}
    )
    assert download.mimetype == "application/json" and SENTENCES[0] in download.get_data(as_text=True)
    assert (
        organiser.post(
            "/admin/privacy/", data={"email": "not an address", "kind": "export", "channel": "post"}
        ).status_code
        == 400
    )
    erased = organiser.post(
        "/admin/privacy/", data={"email": CANARY, "kind": "erasure", "channel": "phone", "note": "Gebeld"}
    )
    assert erased.status_code == 302
    with app.app_context():
        assert scan(CANARY) == []
        rows = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        assert [(r.kind, r.channel, r.handled_by) for r in rows] == [
            ("export", "post", "org@example.org"),
            ("export", "post", "org@example.org"),
            ("erasure", "phone", "org@example.org"),
        ]
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("privacy export") == 2 and "privacy erasure" in actions


def test_the_privacy_statement_and_the_register_state_the_configured_periods(app: Flask, client: FlaskClient) -> None:
    config = DEFAULTS
    text_days = config["SURVEY_COUNTS_DAYS"] + config["LETTER_TEXT_DAYS"]
    register_text = (DOCS / "processing-register.md").read_text()
    assert f"deleted after {config['CONFIRM_VALID_SECONDS'] // 86400} days" in register_text
    assert f"{text_days} days after sending" in register_text
    assert f"never\n  sooner than {config['LETTER_TEXT_DAYS']} days after they came in" in register_text
    assert f"{config['IDENTITY_DAYS']} days after their last" in register_text
    assert f"once, for {config['PRIVACY_LINK_SECONDS'] // 3600} hour" in register_text
    # The DPIA states no periods of its own: it points at the register's (tests/test_docs.py: written once).
    assert "(processing-register.md#retention)" in (DOCS / "dpia.md").read_text()
    assert "72 hours" in (DOCS / "breach-procedure.md").read_text()
    page = client.get("/privacy").get_data(as_text=True)
    assert f"na {config['CONFIRM_VALID_SECONDS'] // 86400} dagen" in page
    assert f"{text_days} dagen" in page and f"{config['IDENTITY_DAYS']} dagen" in page
    # No processors configured: the statement names the kinds of service that process data, in Dutch.
    processors = page.split('id="processors">')[1].split("</ul>")[0]
    assert "het bedrijf dat deze site host" in processors and "e-mailprovider" in processors


def test_submissions_keep_the_exact_consent_text_and_time(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        campaign()
    send_letter(client, [f"member:{directory['yesilgoz']}"], email=CANARY)
    with app.app_context():
        submission = db.session.scalars(select(Submission)).one()
        assert submission.consent_version == CONSENT_VERSION
        assert "politieke" in submission.consent_text  # the words the supporter agreed to, in their language
        assert submission.consented_at is not None and not submission.newsletter


def test_rate_limits_count_a_keyed_hash_of_the_internet_address_never_the_address(app: Flask) -> None:
    from outreach.extensions import client_key, limiter

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        key = client_key()
        assert "203.0.113.9" not in key and key == client_key()
        assert limiter._key_func is client_key  # the default for every limit, the login's included
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.10"}):
        assert client_key() != key


def test_the_worker_purges_daily_and_the_command_says_what_it_did(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    from outreach.jobs import PERIODIC_JOBS
    from outreach.privacy import purge_daily

    assert (purge_daily, False) in app.extensions[PERIODIC_JOBS]
    with app.app_context():
        campaign()
    send_letter(client, [f"member:{directory['yesilgoz']}"], email=CANARY)  # never confirmed
    with app.app_context():
        created = db.session.scalars(select(Submission.created_at)).one()
        purge_daily(created + timedelta(days=7, minutes=-1))  # runs; the link is still valid
        purge_daily(created + timedelta(days=7, hours=1))  # expired now, but today's run is done
        db.session.commit()
        assert db.session.scalars(select(Submission)).all()
        purge_daily(created + timedelta(days=8))  # the next day's run deletes it
        db.session.commit()
        assert db.session.scalars(select(Submission)).all() == []
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "unconfirmed submissions deleted" in result.output


def test_erasing_an_address_that_is_also_a_member_s_touches_no_other_supporter(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    """A member (or anyone) may write from the address others write to: erasing it erases their own letters only."""
    from tests.builders import sent_letters

    with app.app_context():
        row = campaign()
        [other] = sent_letters(row, [directory["yesilgoz"]], supporter_no=2)
        other_message_id = other.outbox_message_id
        message = db.session.get(OutboxMessage, other_message_id)
        message.status, message.sent_at = "queued", None  # still on its way to the member
        db.session.commit()
    send_letter(client, [f"member:{directory['de_vries']}"], email="d.yesilgoz@tweedekamer.example")
    with app.app_context():
        held = subject.export("d.yesilgoz@tweedekamer.example")
        assert len(held["tables"]["outbox_message"]) == 1  # their confirmation, not the letters *to* the address
        assert subject.erase("d.yesilgoz@tweedekamer.example", utcnow())
        db.session.commit()
        message = db.session.get(OutboxMessage, other_message_id)
        assert message.status == "queued" and "Ik vraag uw aandacht" in message.body
        assert message.supporter_email == "supporter2@example.org"


def test_an_organiser_s_export_never_holds_an_account_s_password(app: Flask, organiser: FlaskClient) -> None:
    from tests.builders import account

    with app.app_context():
        account("boss@example.org", "admin")
    response = organiser.post(
        "/admin/privacy/", data={"email": "boss@example.org", "kind": "export", "channel": "email", "download": "1"}
    )
    assert response.status_code == 200 and "password" not in response.get_data(as_text=True)


def test_odd_addresses_get_a_clear_error(client: FlaskClient) -> None:
    for address in ("a\x01b@example.org", "a\x00b@example.org", "x" * 300 + "@example.org", "not an address"):
        response = client.post("/privacy/my-data", data={"email": address})
        assert response.status_code == 400, address
        assert "e-mailadres" in response.get_data(as_text=True)


def test_a_failed_letter_whose_text_is_gone_can_never_be_retried(app: Flask, canary: dict[str, object]) -> None:
    with app.app_context():
        message = db.session.get(OutboxMessage, db.session.get(Letter, canary["letters"][1]).outbox_message_id)
        message.status = "failed"
        db.session.commit()
        purge(canary["start"] + timedelta(days=59))
        db.session.commit()
        assert db.session.get(OutboxMessage, message.id).status == "cancelled"


def test_letters_still_held_keep_their_text_until_they_go_and_are_withdrawn_with_the_name(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    from tests.builders import sent_letters

    with app.app_context():
        row = campaign()
        [in_outbox] = sent_letters(row, [directory["yesilgoz"]], supporter_no=3)
        message = db.session.get(OutboxMessage, in_outbox.outbox_message_id)
        message.status, message.sent_at = "held", None  # the campaign was paused
        [for_review] = sent_letters(row, [directory["de_vries"]], supporter_no=4)
        for_review.status = "held"  # an organiser has not looked yet
        db.session.commit()
        start = utcnow()
        purge(start + timedelta(days=100))
        db.session.commit()
        assert "Ik vraag uw aandacht" in db.session.get(Letter, in_outbox.id).body
        assert "Ik vraag uw aandacht" in db.session.get(Letter, for_review.id).body
        purge(start + timedelta(days=800))
        db.session.commit()
        withdrawn = db.session.get(Letter, for_review.id)
        assert (withdrawn.status, withdrawn.hold_reason) == ("rejected", "erased")
        assert db.session.get(OutboxMessage, message.id).status == "cancelled"
        assert scan("supporter3@example.org", "supporter4@example.org", "Supporter 3", "Supporter 4") == []


def test_organisers_erase_an_address_that_only_wrote_to_the_campaign(app: Flask, organiser: FlaskClient) -> None:
    raw = b"From: Iemand <iemand@example.net>\r\nSubject: Vraag\r\nMessage-ID: <q-1@example.net>\r\n\r\nMijn vraag.\r\n"
    with app.app_context():
        ingest(raw, "imap")
        db.session.commit()
    response = organiser.post(
        "/admin/privacy/", data={"email": "iemand@example.net", "kind": "erasure", "channel": "email"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert scan("iemand@example.net", "Mijn vraag") == []


OWN_MAIL = "Ik wil graag helpen met de herdenking in Den Haag."


def own_mail(sender: str, message_id: str) -> bytes:
    """An e-mail a person sends to the campaign's reply address themselves, on no letter's thread."""
    return (
        f"From: Aysel Mammadova <{sender}>\r\nTo: replies@campaign.example\r\nSubject: Een vraag\r\n"
        f"Message-ID: <{message_id}@example.org>\r\n\r\n{OWN_MAIL}\r\n"
    ).encode()


@pytest.mark.parametrize("route", ["self-service", "console"])
def test_erasure_removes_what_a_supporter_e_mailed_the_campaign_themselves(
    app: Flask, client: FlaskClient, canary: dict[str, object], route: str
) -> None:
    with app.app_context():
        ingest(own_mail(CANARY.upper(), "own-1"), "imap")  # mail programs keep the case the person typed
        db.session.commit()
        assert OWN_MAIL in json.dumps(subject.export(CANARY), ensure_ascii=False)
    if route == "self-service":
        with app.app_context():
            link = ask_for_link(client)
        assert client.post(link).status_code == 302
        assert OWN_MAIL in client.get(link).get_data(as_text=True)
        assert client.post(link + "/erase").status_code == 302
    else:
        organiser = logged_in(app, app.test_client(), "org@example.org", "organiser")
        response = organiser.post("/admin/privacy/", data={"email": CANARY, "kind": "erasure", "channel": "email"})
        assert response.status_code == 302
    with app.app_context():
        assert scan(CANARY, OWN_MAIL, "Aysel Mammadova") == []


def test_someone_who_only_e_mailed_the_campaign_gets_a_link_to_their_data(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        ingest(own_mail("iemand@example.net", "only-1"), "imap")
        db.session.commit()
        link = ask_for_link(client, "iemand@example.net")
    assert link is not None  # not "we hold no data": their message is held
    assert client.post(link).status_code == 302
    assert OWN_MAIL in client.get(link).get_data(as_text=True)
    assert client.post(link + "/erase").status_code == 302
    with app.app_context():
        assert scan("iemand@example.net", OWN_MAIL) == []
        assert ask_for_link(client, "iemand@example.net") is None  # now nothing is held


def test_a_new_table_about_a_supporter_or_their_e_mails_is_in_the_export_without_being_listed(
    app: Flask, canary: dict[str, object]
) -> None:
    from sqlalchemy import Column, ForeignKey, Integer, Table

    from outreach.campaigns.models import Supporter

    def table(name: str, column: str, target: str) -> Table:
        return Table(
            name,
            db.metadata,
            Column("id", Integer, primary_key=True),
            Column(column, ForeignKey(target)),
            Column("text", Text),
        )

    notes = table("supporter_note", "supporter_id", "supporter.id")
    receipts = table("read_receipt", "message_id", "outbox_message.id")
    try:
        with app.app_context():
            notes.create(db.engine)
            receipts.create(db.engine)
            supporter_id = db.session.scalar(select(Supporter.id).where(Supporter.email == CANARY))
            message_id = db.session.get(Letter, canary["letters"][0]).outbox_message_id
            db.session.execute(notes.insert().values(supporter_id=supporter_id, text="called on Monday"))
            db.session.execute(receipts.insert().values(message_id=message_id, text="read on Tuesday"))
            db.session.execute(receipts.insert().values(message_id=None, text="someone else's"))
            db.session.commit()
            held = subject.export(CANARY)["tables"]
            assert [row["text"] for row in held["supporter_note"]] == ["called on Monday"]
            assert [row["text"] for row in held["read_receipt"]] == ["read on Tuesday"]
    finally:
        with app.app_context():
            db.session.remove()
            receipts.drop(db.engine, checkfirst=True)
            notes.drop(db.engine, checkfirst=True)
        db.metadata.remove(receipts)
        db.metadata.remove(notes)
