"""The supporter's whole path in a real browser, in Dutch and in English: three members of a committee, an edited
letter, the confirmation e-mail from a real SMTP server, the click, and the letters in the queue."""

import re
from email import message_from_bytes, policy

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from outreach.campaigns.models import Submission
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import build_directory, campaign
from tests.e2e.conftest import screenshot
from tests.smtpserver import SinkServer

pytestmark = pytest.mark.e2e

WORDS = {
    "nl": {
        "write": "Schrijf een brief",
        "committee": "Commissie",
        "search": "Zoeken",
        "continue": "Verder naar de brief",
        "preview": "Voorbeeld bekijken",
        "name": "Uw naam",
        "email": "Uw e-mailadres",
        "consent": "Ik geef toestemming",
        "send": "Verstuur mijn brief",
        "check": "Kijk in uw mailbox",
        "confirm": "Bevestigen en versturen",
        "queued": "in de wachtrij voor verzending",
        "salutations": ["Geachte mevrouw Yeşilgöz,", "Geachte heer Van der Lee,", "Geachte mevrouw De Vries,"],
        "changed": "U hebt",
    },
    "en": {
        "write": "Write a letter",
        "committee": "Committee",
        "search": "Search",
        "continue": "Continue to the letter",
        "preview": "Show how it reads",
        "name": "Your name",
        "email": "Your e-mail address",
        "consent": "I agree that Outreach",
        "send": "Send my letter",
        "check": "Check your mail",
        "confirm": "Confirm and send",
        "queued": "in the queue to be sent",
        "salutations": ["Dear Ms Yeşilgöz,", "Dear Mr Van der Lee,", "Dear Ms De Vries,"],
        "changed": "You changed",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_supporter_writes_to_three_committee_members_and_confirms(page: Page, serve, language: str) -> None:
    words = WORDS[language]
    with SinkServer() as server:

        def fill() -> None:
            build_directory()
            campaign()

        site = serve(fill, MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0, FORM_MIN_SECONDS=0)
        page.goto(f"{site}/campaigns/khojaly")
        if language == "en":
            page.get_by_role("link", name="English").click()
        screenshot(page, f"campaign-{language}")
        page.get_by_role("link", name=words["write"]).first.click()

        page.get_by_label(words["committee"], exact=True).select_option("BuZa")
        page.get_by_role("button", name=words["search"]).click()
        for name in ("Dilan Yeşilgöz", "Tom van der Lee", "Anna de Vries"):
            page.get_by_label(name).check()
        assert page.get_by_text("Pieter 't Hart").count() == 1  # shown, but without a tick box (no address)
        screenshot(page, f"campaign-choose-{language}")
        page.get_by_role("button", name=words["continue"]).first.click()

        body = page.locator("textarea[name=body]")
        original = body.input_value()
        personal = "Mijn familie komt uit Karabach; dit gaat mij persoonlijk aan."
        body.fill(original.replace("\n\n", f"\n\n{personal}\n\n", 1))
        page.get_by_label(words["name"]).fill("Aysel Mammadova")
        page.get_by_label(words["email"]).fill("aysel@example.org")
        page.get_by_role("button", name=words["preview"]).click()
        assert words["changed"] in page.locator(".meter-box").inner_text()
        previews = page.locator("details.preview")
        assert previews.count() == 3
        openings = {text.split("\n")[0] for text in previews.locator(".letter-text").all_text_contents()}
        assert openings == set(words["salutations"])
        screenshot(page, f"campaign-letter-{language}")
        results = Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()
        page.get_by_label(words["consent"]).check()
        page.get_by_role("button", name=words["send"]).click()
        assert page.get_by_role("heading", level=1).inner_text() == words["check"]

        with serve.app.app_context():
            Worker().run(once=True)
        [delivery] = server.sink.delivered
        mail = message_from_bytes(delivery.raw, policy=policy.default)
        assert delivery.rcpt_tos == ["aysel@example.org"]
        link = re.search(r"http://\S+/confirm/\S+", mail.get_content()).group(0)
        page.goto(link)
        page.get_by_role("button", name=words["confirm"]).click()
        expect(page.locator(".letter-states li")).to_have_count(3)  # waits for the page the click leads to
        assert all(words["queued"] in item for item in page.locator(".letter-states li").all_inner_texts())
        screenshot(page, f"campaign-confirmed-{language}")

        with serve.app.app_context():
            letters = db.session.scalars(
                db.select(OutboxMessage).where(OutboxMessage.kind == LETTER).order_by(OutboxMessage.id)
            ).all()
            assert sorted(message.body.split("\n")[0] for message in letters) == sorted(words["salutations"])
            assert all(personal in message.body and "Aysel Mammadova" in message.body for message in letters)
            submission = db.session.scalars(db.select(Submission)).one()
            assert submission.consented_at is not None and submission.language == language
