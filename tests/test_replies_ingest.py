"""Replies coming in by every road (IMAP, files, the webhook): matched to their letter and classified right, stored
once however often they arrive, and never lost, even when they cannot be read."""

import mailbox
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from outreach.campaigns.models import Letter
from outreach.database import utcnow
from outreach.directory.delivery import is_undeliverable
from outreach.extensions import db
from outreach.jobs import PERIODIC_JOBS
from outreach.outbox.models import NOTICE, OutboxMessage
from outreach.replies.ingest import dedupe_key, ingest
from outreach.replies.models import Reply
from outreach.replies.sources import fetch_when_due
from tests.builders import campaign, sent_letters
from tests.imapserver import imap_server

CORPUS = Path(__file__).parent / "fixtures" / "replies"
REPLY_ADDRESS, BOUNCE_ADDRESS = "replies@campaign.example", "bounces@campaign.example"


@dataclass(frozen=True)
class Expected:
    letter: str | None  # whose letter the message is about (fills the placeholders), and must be linked to
    kind: str
    matched_by: str | None
    contains: tuple[str, ...] = ()
    leaves_out: tuple[str, ...] = ()


# Real-world-shaped messages: Outlook and Gmail replies, Dutch and English automatic replies, delivery reports,
# forwarded answers, HTML-only mail, odd character sets, and what is not mail at all.
EXPECTED = {
    "outlook_reply_nl.eml": Expected(
        "yesilgoz", "answer", "token", ("commissiedebat Buitenlandse Zaken", "Yeşilgöz"), ("Ik vraag uw aandacht",)
    ),
    "gmail_reply_en.eml": Expected(
        "van_der_lee", "answer", "thread", ("independent inquiry",), ("26 February 1992", "wrote:")
    ),
    "autoreply_nl_exchange.eml": Expected("de_vries", "auto_reply", "token", ("afwezig",)),
    "autoreply_en_ooo.eml": Expected("van_der_lee", "auto_reply", "token", ("out of the office",)),
    "ack_nl.eml": Expected("yesilgoz", "acknowledgement", "token", ("in goede orde ontvangen",)),
    # Exchange's "Automatisch antwoord" that only confirms receipt is an acknowledgement, not an absence.
    "ack_nl_exchange_autoreply.eml": Expected("yesilgoz", "acknowledgement", "token", ("in goede orde ontvangen",)),
    # Without any automatic header: known from the wording alone.
    "ooo_nl_no_headers.eml": Expected("van_der_lee", "auto_reply", "token", ("niet op kantoor",)),
    "ack_en_no_headers.eml": Expected("de_vries", "acknowledgement", "token", ("We have received",)),
    "dsn_failed.eml": Expected("second_to_yesilgoz", "bounce", "token", ("User unknown",)),
    "dsn_delayed_exchange.eml": Expected("de_vries", "delay", "thread"),
    "forwarded_gmail_nl.eml": Expected(
        "de_vries", "answer", "forward", ("herdenkingsdag",), ("Dit antwoord kreeg ik", "Ik vraag uw aandacht")
    ),
    "forwarded_as_attachment_outlook.eml": Expected(
        "van_der_lee", "answer", "thread", ("procedurevergadering",), ("Zie het antwoord",)
    ),
    "html_only_sender.eml": Expected("yesilgoz", "answer", "sender", ("een standpunt", "Yeşilgöz"), ("uw aandacht",)),
    "odd_charset_cp1252.eml": Expected("van_der_lee", "answer", "token", ("café", "€ 5", "– zie")),
    "unknown_charset.eml": Expected("de_vries", "answer", "token", ("één dag",)),
    "unmatched.eml": Expected(None, "answer", None, ("Hoe kan ik meedoen",)),
    "malformed.bin": Expected(None, "unreadable", None),
}


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"REPLY_ADDRESS": REPLY_ADDRESS, "BOUNCE_ADDRESS": BOUNCE_ADDRESS}


@pytest.fixture
def letters(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    """Supporter 1's letters to three members and supporter 2's to one, sent: letter ids by member key."""
    with app.app_context():
        row = campaign()
        written = sent_letters(row, [directory[k] for k in ("yesilgoz", "van_der_lee", "de_vries")])
        ids = dict(zip(("yesilgoz", "van_der_lee", "de_vries"), (letter.id for letter in written), strict=True))
        ids["second_to_yesilgoz"] = sent_letters(row, [directory["yesilgoz"]], supporter_no=2)[0].id
        return ids


def filled(name: str, letter_id: int | None) -> bytes:
    """A corpus message with the letter's own Message-ID and plus-addresses in it."""
    raw = (CORPUS / name).read_bytes()
    if letter_id is None:
        return raw
    letter = db.session.get(Letter, letter_id)
    message = db.session.get(OutboxMessage, letter.outbox_message_id)
    token = message.bounce_token
    for placeholder, value in {
        "{{MESSAGE_ID}}": message.message_id,
        "{{REPLY}}": f"replies+{token}@campaign.example",
        "{{BOUNCE}}": f"bounces+{token}@campaign.example",
    }.items():
        raw = raw.replace(placeholder.encode(), value.encode())
    return raw


def corpus(letters: dict[str, int]) -> dict[str, bytes]:
    return {name: filled(name, letters.get(expected.letter or "")) for name, expected in EXPECTED.items()}


def check(reply: Reply, name: str, letters: dict[str, int]) -> None:
    expected = EXPECTED[name]
    assert reply.kind == expected.kind, name
    assert reply.matched_by == expected.matched_by, name
    assert reply.letter_id == (letters[expected.letter] if expected.letter else None), name
    # Linked means handled, except a link by the sender's address alone: an organiser confirms that guess.
    assert reply.handled == (expected.letter is not None and expected.matched_by != "sender"), name
    for text in expected.contains:
        assert text in reply.text, (name, text, reply.text)
    for text in expected.leaves_out:
        assert text not in reply.text, (name, text, reply.text)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message_of_the_corpus_is_matched_and_classified(app: Flask, letters: dict[str, int], name: str) -> None:
    with app.app_context():
        reply, new = ingest(filled(name, letters.get(EXPECTED[name].letter or "")), "file")
        db.session.commit()
        assert new
        check(db.session.get(Reply, reply.id), name, letters)


def test_what_cannot_be_linked_or_read_is_kept_whole_for_an_organiser(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        for name in ("unmatched.eml", "malformed.bin"):
            raw = filled(name, None)
            reply, _new = ingest(raw, "file")
            db.session.commit()
            assert reply.raw == raw and not reply.handled
        assert db.session.get(Reply, reply.id).error  # says why it could not be read


def test_a_bounce_marks_the_letter_flags_the_address_and_tells_the_supporter_once(
    app: Flask, letters: dict[str, int]
) -> None:
    with app.app_context():
        raw = filled("dsn_failed.eml", letters["second_to_yesilgoz"])
        ingest(raw, "imap")
        ingest(raw.replace(b"<20261123140230.5E1A2@", b"<second-copy@"), "imap")  # the same bounce, twice
        db.session.commit()
        assert db.session.get(Letter, letters["second_to_yesilgoz"]).status == "bounced"
        assert is_undeliverable("d.yesilgoz@tweedekamer.example")
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).all()
        assert [n.recipient for n in notices] == ["supporter2@example.org"]
        assert notices[0].subject == "Uw brief aan Dilan Yeşilgöz kon niet worden bezorgd"
        # The other letters are untouched.
        assert db.session.get(Letter, letters["yesilgoz"]).status == "queued"


def test_a_delay_changes_nothing(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        ingest(filled("dsn_delayed_exchange.eml", letters["de_vries"]), "imap")
        db.session.commit()
        assert db.session.get(Letter, letters["de_vries"]).status == "queued"
        assert not is_undeliverable("a.devries@tweedekamer.example")
        assert (
            db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == NOTICE)) == 0
        )


def test_letters_carry_their_own_reply_address(app: Flask, letters: dict[str, int]) -> None:
    """Reply-To: the supporter and replies+<token>: the token is the message's own random one, nothing else."""
    with app.app_context():
        for key in ("yesilgoz", "van_der_lee", "de_vries"):
            message = db.session.get(OutboxMessage, db.session.get(Letter, letters[key]).outbox_message_id)
            assert message.reply_to.startswith('"Supporter 1" <supporter1@example.org>')
            assert f", replies+{message.bounce_token}@campaign.example" in message.reply_to
            assert "supporter1" not in message.bounce_token and len(message.bounce_token) == 20
        tokens = db.session.scalars(select(OutboxMessage.bounce_token)).all()
        assert len(set(tokens)) == len(tokens)


# IMAP ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imap():
    with imap_server() as server:
        yield server


@pytest.mark.parametrize("processed_folder", ["Outreach-processed", ""])
def test_fetching_the_mailbox_twice_stores_every_message_once(
    app: Flask, letters: dict[str, int], imap, processed_folder: str
) -> None:
    imap.empty()
    with app.app_context():
        messages = corpus(letters)
    imap.append(*messages.values())
    app.config.update(imap.config(IMAP_PROCESSED_FOLDER=processed_folder))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["replies", "fetch"])
    assert first.exit_code == 0, first.output
    assert f"{len(EXPECTED)} new" in first.output
    if processed_folder:  # read messages were moved out of the inbox
        assert imap.uids("INBOX") == [] and len(imap.uids(processed_folder)) == len(EXPECTED)
    else:  # ... or marked read
        assert imap.uids("INBOX", "UNSEEN") == [] and len(imap.uids("INBOX")) == len(EXPECTED)

    # The mailbox hands the same messages over again (someone moved them back): nothing is stored twice.
    imap.append(*messages.values())
    second = runner.invoke(args=["replies", "fetch"])
    assert second.exit_code == 0, second.output
    assert f"{len(EXPECTED)} already stored" in second.output and " new" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reply)) == len(EXPECTED)
        for name, raw in messages.items():
            # (The server stores what is not mail in its own way, so that one is found by its kind.)
            key = dedupe_key(raw)
            found = Reply.kind == "unreadable" if name == "malformed.bin" else Reply.dedupe_key.startswith(key)
            check(db.session.scalar(select(Reply).where(found)), name, letters)


def test_an_unreachable_mailbox_is_a_clear_error(app: Flask, imap) -> None:
    app.config.update(imap.config(IMAP_PASSWORD="wrong"))
    result = app.test_cli_runner().invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "IMAP server 127.0.0.1" in result.output and "Traceback" not in result.output


# Files --------------------------------------------------------------------------------------------------------------


def test_import_reads_eml_mbox_and_maildir_and_skips_what_it_has(
    app: Flask, letters: dict[str, int], runner, tmp_path: Path
) -> None:
    with app.app_context():
        messages = corpus(letters)
    names = sorted(messages)
    eml = tmp_path / "one.eml"
    eml.write_bytes(messages[names[0]])
    box = mailbox.mbox(tmp_path / "some.mbox")
    for name in names[1:6]:
        box.add(mailbox.mboxMessage(messages[name]))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for name in names[6:]:
        maildir.add(messages[name])

    result = runner.invoke(args=["replies", "import", str(eml), str(tmp_path / "some.mbox"), str(tmp_path / "Maildir")])
    assert result.exit_code == 0, result.output
    assert f"{len(EXPECTED)} new" in result.output
    again = runner.invoke(args=["replies", "import", str(tmp_path / "Maildir")])
    assert f"{len(names) - 6} already stored" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reply)) == len(EXPECTED)


def test_import_of_something_that_is_not_mail_says_so(runner, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    result = runner.invoke(args=["replies", "import", str(tmp_path / "folder")])
    assert result.exit_code == 1 and "must be a Maildir" in result.output
    result = runner.invoke(args=["replies", "import", str(tmp_path / "missing.eml")])
    assert result.exit_code == 1 and "no such file" in result.output


# Webhook ------------------------------------------------------------------------------------------------------------


def test_the_webhook_takes_raw_mail_with_its_bearer_token_only(app: Flask, letters: dict[str, int], client) -> None:
    with app.app_context():
        raw = filled("outlook_reply_nl.eml", letters["yesilgoz"])
    assert client.post("/inbound/email", data=raw).status_code == 404  # off until a token is configured
    app.config["INBOUND_TOKEN"] = "s3cret-token"
    assert client.post("/inbound/email", data=raw).status_code == 401
    wrong = client.post("/inbound/email", data=raw, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["WWW-Authenticate"]
    auth = {"Authorization": "Bearer s3cret-token", "Content-Type": "message/rfc822"}
    assert client.post("/inbound/email", data=b"  ", headers=auth).status_code == 400

    first = client.post("/inbound/email", data=raw, headers=auth)
    assert first.status_code == 202
    assert first.json["kind"] == "answer" and first.json["linked"] and first.json["new"]
    second = client.post("/inbound/email", data=raw, headers=auth)
    assert second.status_code == 200 and not second.json["new"] and second.json["id"] == first.json["id"]
    garbage = client.post("/inbound/email", data=b"\x00\xff not mail", headers=auth)
    assert garbage.status_code == 202 and garbage.json["kind"] == "unreadable"

    app.config["INBOUND_MAX_BYTES"] = 1000
    too_big = client.post("/inbound/email", data=raw + b"x" * 2000, headers=auth)
    assert too_big.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reply)) == 2


def test_the_same_message_by_two_roads_is_stored_once(app: Flask, letters: dict[str, int]) -> None:
    """A provider's webhook and the IMAP copy of one message differ in their Received lines, not their Message-ID."""
    with app.app_context():
        raw = filled("gmail_reply_en.eml", letters["van_der_lee"])
        first, _ = ingest(raw, "webhook")
        second, new = ingest(b"Received: from relay.example by mx.campaign.example;\r\n" + raw, "imap")
        db.session.commit()
        assert not new and second.id == first.id
        assert utcnow() >= first.created_at


def test_the_worker_fetches_the_mailbox_every_few_minutes(app: Flask, letters: dict[str, int], imap) -> None:
    imap.empty()
    app.config.update(imap.config(IMAP_FETCH_SECONDS=300))
    assert (fetch_when_due, True) in app.extensions[PERIODIC_JOBS]
    with app.app_context():
        messages = corpus(letters)
        start = utcnow()
        imap.append(messages["gmail_reply_en.eml"])
        fetch_when_due(start)
        imap.append(messages["ack_nl.eml"])
        fetch_when_due(start + timedelta(seconds=299))  # not yet
        assert db.session.scalar(select(func.count()).select_from(Reply)) == 1
        fetch_when_due(start + timedelta(seconds=300))
        assert db.session.scalar(select(func.count()).select_from(Reply)) == 2


# What real mail does that the corpus alone does not show -------------------------------------------------------------


def mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["Subject"] = sender, subject
    message["Date"] = "Wed, 25 Nov 2026 10:00:00 +0100"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def outbox_row(letter_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, db.session.get(Letter, letter_id).outbox_message_id)


def reply_address(letter_id: int) -> str:
    """The letter's own reply address, as its Reply-To carries it."""
    return f"replies+{outbox_row(letter_id).bounce_token}@campaign.example"


def test_one_answer_to_several_supporters_counts_for_each_letter(app: Flask, letters: dict[str, int]) -> None:
    """An office answering many supporters in one message, each supporter's reply address in Bcc."""
    with app.app_context():
        raw = mail(
            "d.yesilgoz@tweedekamer.example",
            "Uw brief over Khojaly",
            "Dank voor uw brief. Ik steun het verzoek.",
            Message_ID="<mass-answer@tweedekamer.example>",
            To=f"{reply_address(letters['yesilgoz'])}, {reply_address(letters['second_to_yesilgoz'])}",
        )
        assert ingest(raw, "imap")[1] and ingest(raw, "webhook")[1] is False
        db.session.commit()
        linked = db.session.scalars(select(Reply.letter_id).order_by(Reply.letter_id)).all()
        assert linked == sorted([letters["yesilgoz"], letters["second_to_yesilgoz"]])


def test_the_supporter_answering_on_the_thread_is_not_the_member_s_answer(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        raw = mail("supporter1@example.org", "Re: Erkenning", "Hartelijk dank!", To=reply_address(letters["de_vries"]))
        reply, _ = ingest(raw, "imap")
        assert (reply.kind, reply.letter_id) == ("not_a_reply", letters["de_vries"])


def test_a_member_answering_above_a_forward_keeps_their_own_words(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        body = (
            "Beste ondersteuner, ik neem dit mee naar het commissiedebat.\n\n"
            "-----Original Message-----\nFrom: Supporter 1 via Erkenning <letters@outreach.localhost>\n"
            "Sent: maandag 23 november 2026 15:02\nSubject: Erkenning\n\nIk vraag uw aandacht.\n"
        )
        raw = mail("a.devries@tweedekamer.example", "FW: Erkenning", body, To=reply_address(letters["de_vries"]))
        reply, _ = ingest(raw, "imap")
        assert reply.kind == "answer" and reply.from_address == "a.devries@tweedekamer.example"
        assert "commissiedebat" in reply.text and "Ik vraag uw aandacht" not in reply.text


def test_words_of_an_answer_s_subject_do_not_make_it_automatic(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        raw = mail(
            "a.devries@tweedekamer.example",
            "Re: Leerlingen afwezig door wachtlijsten",
            "Ik heb uw brief gelezen en zal vragen stellen.",
            To=reply_address(letters["de_vries"]),
        )
        assert ingest(raw, "imap")[0].kind == "answer"


def test_an_address_in_a_text_bounce_is_not_a_status_code(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        message = outbox_row(letters["de_vries"])
        raw = mail(
            "Mailer-Daemon@mx.campaign.example",
            "Warning: message delayed 24 hours",
            "Your message to a.devries@tweedekamer.example via [5.79.12.40] is delayed.\n"
            f"Message-ID: {message.message_id}",
        )
        reply, _ = ingest(raw, "imap")
        assert reply.kind == "report" and not reply.handled  # for an organiser to read, nothing marked bounced
        assert db.session.get(Letter, letters["de_vries"]).status == "queued"


def test_the_nearest_message_in_the_thread_wins(app: Flask, letters: dict[str, int]) -> None:
    with app.app_context():
        one, two = outbox_row(letters["van_der_lee"]), outbox_row(letters["de_vries"])
        raw = mail(
            "someone@example.net",
            "Re: Erkenning",
            "Antwoord.",
            In_Reply_To=one.message_id,
            References=f"{two.message_id} {one.message_id}",
        )
        assert ingest(raw, "imap")[0].letter_id == letters["van_der_lee"]


def test_a_person_answering_the_survey_e_mail_waits_in_the_inbox(app: Flask, letters: dict[str, int]) -> None:
    from outreach.outbox.compose import Recipient, enqueue

    with app.app_context():
        survey_mail = enqueue(
            "survey", Recipient(None, "supporter1@example.org"), "Heeft het Kamerlid gereageerd?", "…"
        )
        db.session.commit()
        raw = mail(
            "supporter1@example.org", "Re: Heeft het Kamerlid gereageerd?", "Ja!", In_Reply_To=survey_mail.message_id
        )
        reply, _ = ingest(raw, "imap")
        assert reply.outbox_message_id == survey_mail.id and not reply.handled


def test_headers_no_database_can_store_do_not_stop_anything(app: Flask, letters: dict[str, int], client) -> None:
    app.config["INBOUND_TOKEN"] = "t"
    raw = (
        b"From: " + b"N" * 400 + b" <" + b"a" * 300 + b"@b.example>\r\nSubject: x\x00y\r\n"
        b"Message-ID: <p\x00oison@x>\r\nDate: Fri, 31 Dec 9999 23:30:00 -0100\r\n\r\nTekst\x00 met NUL\r\n"
    )
    response = client.post("/inbound/email", data=raw, headers={"Authorization": "Bearer t"})
    assert response.status_code == 202 and response.json["kind"] == "answer"
    with app.app_context():
        reply = db.session.get(Reply, response.json["id"])
        assert "\x00" not in reply.text and len(reply.from_name) <= 300 and reply.error is None


def test_the_mailbox_dropping_the_line_mid_fetch_loses_nothing_and_stores_nothing_twice(
    app: Flask, letters: dict[str, int], imap
) -> None:
    from tests.imapserver import DroppingProxy

    imap.empty()
    with app.app_context():
        messages = corpus(letters)
    imap.append(*messages.values())
    proxy = DroppingProxy(imap.port, limit=9000)  # about halfway through the messages
    app.config.update(imap.config(IMAP_PORT=proxy.port))
    runner = app.test_cli_runner()
    runs = []
    for _ in range(10):  # fetch again until the mailbox is empty, as the worker would every few minutes
        result = runner.invoke(args=["replies", "fetch"])
        runs.append(result.output)
        if result.exit_code == 0:
            break
        assert "IMAP connection lost" in result.output and "Traceback" not in result.output
    proxy.close()
    assert proxy.cuts >= 1 and any("IMAP connection lost" in run for run in runs)
    assert imap.uids("INBOX") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reply)) == len(EXPECTED)


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("Re: Erkenning", "Bedankt voor uw bericht. Ik ben tot 8 december met vakantie.", "auto_reply"),
        ("Re: Recognition", "I am currently out of the office, returning on Monday 7 December.", "auto_reply"),
        (
            "Re: Erkenning",
            "Wij hebben uw e-mail ontvangen. U krijgt binnen tien werkdagen antwoord.",
            "acknowledgement",
        ),
        ("Re: Recognition", "Thank you for your email, which has been received by our office.", "acknowledgement"),
        # Answers that use the same words are answers.
        ("Re: Erkenning", "Dank voor uw bericht. Ik steun een herdenkingsdag en stel er vragen over.", "answer"),
        ("Re: Erkenning", "Ik was afwezig bij het debat, maar ik deel uw zorg en steun het verzoek.", "answer"),
        ("Re: Recognition", "Thank you for your letter. I support an independent inquiry.", "answer"),
        ("Re: Erkenning", "Ik ben terug op het onderwerp gekomen in de commissie en steun uw verzoek.", "answer"),
    ],
)
def test_acknowledgements_and_absence_notes_are_known_by_their_wording_too(
    app: Flask, letters: dict[str, int], subject: str, body: str, kind: str
) -> None:
    with app.app_context():
        raw = mail("a.devries@tweedekamer.example", subject, body, To=reply_address(letters["de_vries"]))
        assert ingest(raw, "imap")[0].kind == kind
