"""A committee's own address as a recipient: chosen like a member, written to as the committee, delivered over
SMTP, its answer linked to the letter, and counted in the reports without a member behind it."""

from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.campaigns.models import Letter
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.worker import Worker
from outreach.replies.ingest import ingest
from tests.builders import account, campaign
from tests.campaign_helpers import confirmation_messages, confirmation_path, send_letter
from tests.conftest import log_in
from tests.smtpserver import SinkServer


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return {
        "FORM_MIN_SECONDS": 0,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RATE": 0,
        "OUTBOX_SMTP_TIMEOUT": 2,
    }


def test_a_letter_to_a_committee_reaches_its_address_and_its_answer_counts(
    app: Flask, client: FlaskClient, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        campaign_id = campaign().id
    committee_key = f"committee:{directory['buza']}"
    chooser = client.get("/campaigns/khojaly/choose", query_string={"to": committee_key, "action": "continue"})
    assert chooser.status_code == 302  # a real recipient, to continue with
    assert send_letter(client, [committee_key, f"member:{directory['de_vries']}"]).status_code == 302
    with app.app_context():
        [confirmation] = confirmation_messages()
        path = confirmation_path(confirmation)
    assert client.post(path).status_code == 302
    with app.app_context():
        Worker().run(once=True)
        letter = db.session.scalar(select(Letter).where(Letter.target == committee_key))
        assert (letter.committee_id, letter.member_id) == (directory["buza"], None)
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == LETTER, OutboxMessage.id == letter.outbox_message_id)
        )
        assert message.status == "sent"
    [delivery] = [d for d in server.sink.delivered if d.rcpt_tos == ["cie.buza@tweedekamer.example"]]
    mail = message_from_bytes(delivery.raw, policy=policy.default)
    assert mail.get_content().startswith("Geachte leden van de vaste commissie voor Buitenlandse Zaken,")
    assert "vaste commissie voor Buitenlandse Zaken" in mail["To"]

    answer = (
        f"From: Griffie BuZa <cie.buza@tweedekamer.example>\r\nTo: {mail['Reply-To'] or mail['From']}\r\n"
        f"Subject: Re: {mail['Subject']}\r\nIn-Reply-To: {mail['Message-ID']}\r\nMessage-ID: <answer-1@tk.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nDe commissie heeft uw brief besproken.\r\n"
    ).encode()
    with app.app_context():
        reply, _ = ingest(answer, "file")
        db.session.commit()
        assert reply.letter_id == letter.id and reply.member_id is None
        reply_id = reply.id

    with app.app_context():
        account("org@example.org", "organiser")
    log_in(client, "org@example.org")
    for page in (
        f"/admin/reports/{campaign_id}",
        f"/admin/reports/{campaign_id}/handover",
        f"/admin/reports/{campaign_id}/members.csv",
        f"/admin/reports/{campaign_id}/replies.csv",
        f"/admin/replies/{reply_id}",
        f"/admin/campaigns/{campaign_id}",
    ):
        assert client.get(page).status_code == 200, page
    letters = client.get(f"/admin/reports/{campaign_id}/letters.csv").get_data(as_text=True)
    assert "vaste commissie voor Buitenlandse Zaken" in letters
