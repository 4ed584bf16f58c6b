"""The daily digest past the cap: with a cap of 3 letters a day, 40 letters to one member go out as 3 letters and one
digest holding the other 37 writers' own words at the campaign's hour — through a real SMTP server on loopback, read
back as the member's mail program would — each writer is told and sees it on their status page, and an answer to
the digest (through the inbound webhook) counts for each of the 37 letters in the report."""

import email
import re
from collections.abc import Iterator
from datetime import datetime
from email.policy import default

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.campaigns import letters as placeholders
from outreach.campaigns import tokens
from outreach.campaigns.confirmation import confirm
from outreach.campaigns.digest import build_due
from outreach.campaigns.models import AWAITING, Campaign, Letter, Submission, Supporter
from outreach.directory.delivery import clear_undeliverable
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import DIGEST, LETTER, NOTICE, OutboxMessage
from outreach.outbox.queue import cancel_supporter, retry
from outreach.outbox.worker import Worker
from outreach.replies.ingest import ingest
from outreach.replies.models import Reply
from outreach.reports.stats import ANSWERED, letter_facts
from tests.builders import LETTER_NL, campaign
from tests.smtpserver import SinkServer
from tests.test_campaigns_admin import form
from tests.test_outbox_delivery import Clock, delivery_config

INBOUND = {"Authorization": "Bearer digest-token", "Content-Type": "message/rfc822"}
MORNING = datetime(2027, 3, 2, 9, 0)  # a Tuesday, 10:00 in Amsterdam
BEFORE_DIGEST = datetime(2027, 3, 2, 14, 59)
DIGEST_HOUR = datetime(2027, 3, 2, 15, 0)  # 16:00 in Amsterdam


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return delivery_config(
        server.port,
        REPLY_ADDRESS="replies@campaign.example",
        BOUNCE_ADDRESS="bounces@campaign.example",
        INBOUND_TOKEN="digest-token",
    )


def drain(now: datetime) -> None:
    Worker(clock=Clock(now)).run(once=True)
    db.session.expire_all()


def own_words(number: int) -> str:
    return f"Mijn grootouders kwamen uit Khojaly; ik ben schrijver {number} en vraag u dit niet te vergeten."


def write(row: Campaign, member: Member, number: int, review: str | None = None) -> Letter:
    """Writer `number`'s letter to `member`: the campaign's text with a paragraph of their own, confirmed through the
    campaign's own path (held when it waits for review), committed."""
    now = datetime(2027, 3, 1, 12, 0)
    body = LETTER_NL.replace("{salutation}\n\n", "{salutation}\n\n" + own_words(number) + "\n\n", 1)
    supporter = Supporter(email=f"writer{number}@example.org", created_at=now, last_active_at=now)
    db.session.add(supporter)
    db.session.flush()
    submission = Submission(
        nonce=f"digest-{number}",
        campaign=row,
        supporter=supporter,
        status=AWAITING,
        name=f"Schrijver {number}",
        place="Utrecht" if number % 2 else None,
        language="nl",
        page_language="en" if number == 7 else "nl",
        subject=row.subject_nl,
        body=body,
        review_reason=review,
        consent_version="test",
        consent_text="test",
        consented_at=now,
        created_at=now,
    )
    values = {"salutation": member.salutation, "mp_name": member.name, "supporter_name": submission.name}
    letter = Letter(
        submission=submission,
        campaign_id=row.id,
        supporter_id=supporter.id,
        target=f"member:{member.id}",
        member_id=member.id,
        recipient_name=member.name,
        salutation=member.salutation,
        subject=row.subject_nl,
        body=placeholders.fill(body, {**values, "supporter_city": submission.place or ""}),
        created_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    confirm(submission, now)
    db.session.commit()
    return letter


def written_this_morning(
    directory: dict[str, int], count: int, **settings: object
) -> tuple[Campaign, Member, list[Letter]]:
    """A campaign with `settings`, `count` writers' letters to Yeşilgöz (writers 1 to `count`), and the outbox run
    once on Tuesday morning."""
    row = campaign(**settings)
    member = db.session.get(Member, directory["yesilgoz"])
    letters = [write(row, member, number) for number in range(1, count + 1)]
    drain(MORNING)
    return row, member, letters


def the_digest() -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == DIGEST)).one()


def delivered_to(server: SinkServer, address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(item.raw, policy=default) for item in server.sink.delivered if address in item.rcpt_tos
    ]


def status_page(client: FlaskClient, letter: Letter) -> str:
    return client.get(f"/confirm/{tokens.confirmation(letter.submission_id)}").get_data(as_text=True)


def test_forty_letters_past_a_cap_of_three_go_as_three_letters_and_one_digest_of_thirty_seven(
    app: Flask, directory: dict[str, int], server: SinkServer, client: FlaskClient
) -> None:
    with app.app_context():
        row = campaign(daily_cap=3, digest=True, digest_at="16:00")
        member = db.session.get(Member, directory["yesilgoz"])
        letters = [write(row, member, number) for number in range(1, 41)]
        withdrawn = write(row, member, 41)
        held = [write(row, member, number, review="similar") for number in (42, 43)]

        drain(MORNING)
        assert len(delivered_to(server, member.email)) == 3
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == states.DIGEST_WAIT)).all()
        assert len(waiting) == 38 and {m.next_attempt_at for m in waiting} == {DIGEST_HOUR}
        cancel_supporter("writer41@example.org")  # withdrawn before the digest is built
        db.session.commit()

        drain(BEFORE_DIGEST)
        assert len(delivered_to(server, member.email)) == 3  # nothing more until the digest's hour
        drain(DIGEST_HOUR)

        to_member = delivered_to(server, member.email)
        assert len(to_member) == 4
        digest = to_member[-1]
        text = digest.get_content().replace("\r\n", "\n")
        assert digest["Subject"].strip() == "Vandaag schreven nog 37 mensen u over “Erkenning van Khojaly”"
        assert text.startswith(member.salutation)
        sent_alone = [m for m in to_member[:3]]
        alone_numbers = {int(re.search(r"schrijver (\d+) ", m.get_content()).group(1)) for m in sent_alone}
        in_digest = [n for n in range(1, 41) if n not in alone_numbers]
        assert len(in_digest) == 37
        for number in in_digest:
            assert own_words(number) in text
            who = f"Schrijver {number} (Utrecht)" if number % 2 else f"Schrijver {number}\n"
            assert who in text
        for number in [*alone_numbers, 41, 42, 43]:
            assert f"schrijver {number} " not in text  # sent alone, withdrawn, or held for review
        assert text.count("Ik vraag de Kamer om een onafhankelijk onderzoek") == 1  # the campaign's letter once
        raw = [item.raw for item in server.sink.delivered if member.email in item.rcpt_tos][-1]
        assert max(len(line) for line in raw.splitlines()) <= 998

        digest_row = the_digest()
        assert digest_row.status == states.SENT
        carried = db.session.scalars(select(OutboxMessage).where(OutboxMessage.digest_id == digest_row.id)).all()
        assert len(carried) == 37 and {m.status for m in carried} == {states.SENT}
        assert {m.sent_at for m in carried} == {digest_row.sent_at}
        assert db.session.get(OutboxMessage, withdrawn.outbox_message_id).status == states.CANCELLED
        assert [(letter.status, letter.outbox_message_id) for letter in held] == [("held", None)] * 2

        notices = [
            email.message_from_bytes(item.raw, policy=default)
            for item in server.sink.delivered
            if item.rcpt_tos[0].startswith("writer")
        ]
        assert len(notices) == 37
        dutch = next(n for n in notices if n["To"].addresses[0].addr_spec == f"writer{in_digest[0]}@example.org")
        assert "gaat mee in de dagelijkse bundel" in dutch["Subject"]
        english = [n for n in notices if n["To"].addresses[0].addr_spec == "writer7@example.org"]
        assert 7 in in_digest and "goes in today's digest" in english[0]["Subject"]  # in the writer's language

        by_number = {int(letter.submission.name.split()[1]): letter for letter in letters}
        reply_to = digest["Reply-To"].addresses[0].addr_spec
        page_of_one_alone = status_page(client, by_number[min(alone_numbers)])
        assert "dagelijkse bundel" not in page_of_one_alone
        for number in in_digest:
            page = status_page(client, by_number[number])
            assert f"in de dagelijkse bundel aan {member.name} van 2 maart 2027" in page
        english_page = f"/confirm/{tokens.confirmation(by_number[in_digest[0]].submission_id)}"
        name = member.name

    client.get("/language/en")  # outside the app context above, which would keep the first request's language
    english = client.get(english_page).get_data(as_text=True)
    assert f"in the daily digest to {name} of March 2, 2027" in english

    answer = (
        f"From: {member.email}\r\nTo: {reply_to}\r\nSubject: Re: {digest['Subject']}\r\n"
        "Message-ID: <answer-to-digest@tweedekamer.example>\r\nDate: Wed, 03 Mar 2027 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nDank voor uw brieven. Ik neem uw verzoek mee.\r\n"
    ).encode()
    assert client.post("/inbound/email", data=answer, headers=INBOUND).status_code == 202
    with app.app_context():
        facts = {fact.id: fact for fact in letter_facts(row.id, datetime(2027, 3, 4, 12, 0))}
        answered = {letter_id for letter_id, fact in facts.items() if fact.outcome == ANSWERED}
        assert answered == {by_number[number].id for number in in_digest}
        assert sum(fact.outcome != "not_sent" for fact in facts.values()) == 40  # each letter counted as sent


def test_a_digest_is_built_once_and_its_letters_go_in_no_other(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        row, member, _letters = written_this_morning(directory, 4, daily_cap=1, digest=True, digest_at="16:00")
        assert build_due(DIGEST_HOUR) == 1
        db.session.commit()
        assert build_due(DIGEST_HOUR) == 0  # a second run (another worker, a restart) finds nothing to build
        later = write(row, member, 5)  # past the cap after the digest was built: waits for the next day
        drain(DIGEST_HOUR)
        digests = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == DIGEST)).all()
        assert len(digests) == 1 and digests[0].status == states.SENT
        carried = db.session.scalar(select(func.count()).where(OutboxMessage.digest_id == digests[0].id))
        assert carried == 3
        message = db.session.get(OutboxMessage, later.outbox_message_id)
        assert message.status == states.QUEUED and message.digest_id is None
        assert message.next_attempt_at == datetime(2027, 3, 2, 23, 0)  # Amsterdam midnight, as without a digest


def test_a_digest_keeps_the_campaigns_office_hours(app: Flask, directory: dict[str, int], server: SinkServer) -> None:
    with app.app_context():
        written_this_morning(directory, 2, daily_cap=1, digest=True, digest_at="19:00", sending_hours="08:00-18:00")
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == states.DIGEST_WAIT)).one()
        assert waiting.next_attempt_at == datetime(2027, 3, 3, 7, 0)  # 19:00 is after hours: Wednesday 08:00


def test_a_failed_digest_fails_its_letters_and_tells_each_writer(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        _row, member, _letters = written_this_morning(directory, 3, daily_cap=1, digest=True, digest_at="16:00")
        server.sink.refuse_rcpt[member.email] = "550 5.1.1 No such user"
        drain(DIGEST_HOUR)
        digest = the_digest()
        carried = db.session.scalars(select(OutboxMessage).where(OutboxMessage.digest_id == digest.id)).all()
        assert digest.status == states.FAILED and {m.status for m in carried} == {states.FAILED}
        copies = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.kind == NOTICE, OutboxMessage.subject.like("%bezorgd%"))
        ).all()
        assert len(copies) == 2

        del server.sink.refuse_rcpt[member.email]  # the address was right after all: an organiser retries
        clear_undeliverable(member.email)
        retry(digest)
        db.session.commit()
        drain(datetime(2027, 3, 2, 15, 30))
        assert digest.status == states.SENT and {m.status for m in carried} == {states.SENT}


def test_an_answer_on_the_digest_s_thread_and_a_bounce_of_it_count_for_each_letter(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        _row, member, letters = written_this_morning(directory, 3, daily_cap=1, digest=True, digest_at="16:00")
        drain(DIGEST_HOUR)
        digest = the_digest()
        carried = {letter.id for letter in letters if letter.outbox_message_id != letters[0].outbox_message_id}
        answer = (
            f"From: {member.email}\r\nTo: letters@campaign.example\r\nSubject: Re: brieven\r\n"
            f"In-Reply-To: {digest.message_id}\r\nMessage-ID: <on-the-thread@tweedekamer.example>\r\n"
            "Date: Wed, 03 Mar 2027 10:00:00 +0100\r\n\r\nDank voor uw brieven.\r\n"
        ).encode()
        ingest(answer, "webhook")
        db.session.commit()
        answered = set(db.session.scalars(select(Reply.letter_id).where(Reply.kind == "answer")))
        sent_alone = next(letter.id for letter in letters if letter.id not in carried)
        assert len(carried) == 2 and answered == carried and sent_alone not in answered

        bounce = (
            f"From: MAILER-DAEMON@tweedekamer.example\r\nTo: bounces+{digest.bounce_token}@campaign.example\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce@tweedekamer.example>\r\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nThe mailbox is full.\r\n"
            "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; tweedekamer.example\r\n\r\n"
            f"Final-Recipient: rfc822; {member.email}\r\nAction: failed\r\nStatus: 5.2.2\r\n--b--\r\n"
        ).encode()
        ingest(bounce, "webhook")
        db.session.commit()
        bounced = set(db.session.scalars(select(Letter.id).where(Letter.status == "bounced")))
        assert bounced == carried


def test_without_the_digest_letters_past_the_cap_wait_for_the_next_day(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        written_this_morning(directory, 5, daily_cap=3)
        drain(DIGEST_HOUR)
        assert len(server.sink.delivered) == 3
        rest = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == states.QUEUED)).all()
        assert len(rest) == 2 and {m.next_attempt_at for m in rest} == {datetime(2027, 3, 2, 23, 0)}
        assert not db.session.scalar(select(func.count()).where(OutboxMessage.kind == DIGEST))
        assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == LETTER)) == 5


def test_organisers_switch_the_digest_on_with_a_time_and_are_told_what_is_wrong(
    app: Flask, organiser: FlaskClient
) -> None:
    no_time = organiser.post("/admin/campaigns/new", data=form(digest="y"))
    assert no_time.status_code == 400 and "Geef de tijd" in no_time.get_data(as_text=True)
    wrong = organiser.post("/admin/campaigns/new", data=form(digest="y", digest_at="4 uur"))
    assert wrong.status_code == 400 and "Schrijf de tijd als 16:00" in wrong.get_data(as_text=True)
    no_cap = organiser.post("/admin/campaigns/new", data=form(digest="y", digest_at="16:00", daily_cap=""))
    assert no_cap.status_code == 400 and "stel eerst een grens per Kamerlid in" in no_cap.get_data(as_text=True)
    organiser.get("/language/en")
    english = organiser.post("/admin/campaigns/new", data=form(digest="y", digest_at="25:00"))
    assert "Write the time like 16:00" in english.get_data(as_text=True)
    organiser.get("/language/nl")
    assert organiser.post("/admin/campaigns/new", data=form(digest="y", digest_at="16:30")).status_code == 302
    with app.app_context():
        saved = db.session.scalars(select(Campaign)).one()
        assert (saved.digest, saved.digest_at) == (True, "16:30")
    page = organiser.get(f"/admin/campaigns/{saved.id}").get_data(as_text=True)
    assert "16:30" in page


def test_organisers_see_each_digest_and_how_many_letters_it_carries(
    app: Flask, directory: dict[str, int], server: SinkServer, organiser: FlaskClient
) -> None:
    with app.app_context():
        row, _member, _letters = written_this_morning(directory, 5, daily_cap=1, digest=True, digest_at="16:00")
        drain(DIGEST_HOUR)
        digest = the_digest()
        one_carried = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.digest_id == digest.id)).first()
        campaign_id, digest_id = row.id, digest.id
    outbox = organiser.get("/admin/outbox/").get_data(as_text=True)
    listed = outbox[outbox.index('id="digests"') :]
    assert "Dilan Yeşilgöz" in listed and '<td class="num">4</td>' in listed
    assert "Er zitten 4 brieven in." in organiser.get(f"/admin/outbox/{digest_id}").get_data(as_text=True)
    letter_page = organiser.get(f"/admin/outbox/{one_carried}").get_data(as_text=True)
    assert f'href="/admin/outbox/{digest_id}"' in letter_page
    campaign_page = organiser.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Tot nu toe 1 bundel, met samen 4 brieven." in campaign_page
