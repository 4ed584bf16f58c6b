"""A reply in a real browser: it arrives through the webhook, appears in the organisers' inbox, an organiser tags
it, and the MP's and the party's numbers change on the report page."""

import re
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox.models import OutboxMessage
from outreach.replies import survey
from outreach.replies.models import SurveyAnswer
from tests.builders import account, build_directory, campaign, sent_letters
from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_browser import log_in

pytestmark = pytest.mark.e2e
CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "replies"
TOKEN = "inbound-test-token"


def test_a_reply_arrives_is_tagged_and_changes_the_numbers(page: Page, serve) -> None:
    sent_at = utcnow() - timedelta(days=40)

    def fill() -> None:
        ids = build_directory()
        account("admin@example.org", "admin")
        row = campaign()
        for supporter in range(10):
            sent_letters(row, [ids["van_der_lee"]], supporter_no=supporter, sent_at=sent_at)

    site = serve(fill, INBOUND_TOKEN=TOKEN, REPLY_ADDRESS="replies@campaign.example")
    with serve.app.app_context():
        first = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        message_id, campaign_id = first.message_id, first.campaign_id
    log_in(page, site)

    page.goto(f"{site}/admin/reports/{campaign_id}")
    member_row = page.locator("#members tr", has_text="Tom van der Lee").first
    party_row = page.locator('#parties tr[data-party="D66"]')
    assert "0 %" in member_row.inner_text() and "0 %" in party_row.inner_text()

    # The answer comes in: Tom van der Lee answered three days after the letter went out.
    raw = (CORPUS / "gmail_reply_en.eml").read_bytes().replace(b"{{MESSAGE_ID}}", message_id.encode())
    raw = raw.replace(b"Tue, 24 Nov 2026 11:20:41 +0100", format_datetime(sent_at + timedelta(days=3)).encode())
    posted = requests.post(f"{site}/inbound/email", data=raw, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert posted.status_code == 202 and posted.json()["linked"]

    page.goto(f"{site}/admin/replies/")
    page.get_by_role("link", name="Nog te labelen antwoorden").click()
    page.get_by_role("link", name="Re: Recognition of the Khojaly massacre").click()
    assert "I will ask the minister" in page.locator("pre").inner_text()
    assert "wrote:" not in page.locator("pre").inner_text()  # the quoted letter is cut off
    page.get_by_label("Standpunt").select_option(label="steunt het verzoek")
    page.get_by_label("Notitie").fill("Stelt vragen aan de minister")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator(".flash").count() == 1
    screenshot(page, "reply-tagged")
    violations = Axe().run(page)
    assert not [v for v in violations.response["violations"] if v["impact"] in ("serious", "critical")]

    page.goto(f"{site}/admin/reports/{campaign_id}")
    member_row = page.locator("#members tr", has_text="Tom van der Lee").first
    assert "10 %" in member_row.inner_text()
    assert "steunt het verzoek: 1" in page.locator("#members").inner_text()
    assert "10 %" in page.locator('#parties tr[data-party="D66"]').inner_text()
    screenshot(page, "report")
    violations = Axe().run(page)
    assert not [v for v in violations.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_supporter_answers_the_survey_in_the_browser(page: Page, serve) -> None:
    def fill() -> None:
        ids = build_directory()
        sent_letters(campaign(), [ids["yesilgoz"], ids["de_vries"]], sent_at=utcnow() - timedelta(days=15))

    serve(fill)  # links in the survey e-mail point at this server
    with serve.app.app_context():
        assert survey.send_due(utcnow()) == (1, 0)
        db.session.commit()
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "survey")).one()
    link = re.search(r"Anna de Vries:\n(?:.*\n)*?.*?(http://\S+answer=replied)", body).group(1)
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Heeft Anna de Vries gereageerd?"
    assert page.get_by_label("Ja, er kwam een antwoord").is_checked()
    page.get_by_label("Het antwoord dat u kreeg (optioneel)").fill("Mevrouw De Vries steunt het verzoek.")
    screenshot(page, "survey")
    violations = Axe().run(page)
    assert not [v for v in violations.response["violations"] if v["impact"] in ("serious", "critical")]
    page.get_by_role("button", name="Mijn antwoord opslaan").click()
    expect(page.locator("main")).to_contain_text("Dank u: uw antwoord is opgeslagen.")
    with serve.app.app_context():
        assert db.session.scalars(select(SurveyAnswer.answer)).all() == ["replied"]
