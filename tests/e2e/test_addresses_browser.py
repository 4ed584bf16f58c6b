"""Addresses in a real browser, in Dutch and English, on a phone and a desktop: a supporter's address with a
direction mark gets a clear no next to the field, and the organiser's outbox explains a message the relay could not
take instead of showing a Python error."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.worker import Worker
from tests.builders import account, build_directory, campaign, notice
from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_browser import log_in
from tests.smtpserver import SinkServer

pytestmark = pytest.mark.e2e

WIDTHS = {"phone": 390, "desktop": 1280}
WORDS = {
    "nl": {
        "name": "Uw naam",
        "email": "Uw e-mailadres",
        "consent": "Ik geef toestemming",
        "send": "Verstuur mijn brief",
        "invisible": "onzichtbaar teken",
        "smtputf8": "hij meldt geen SMTPUTF8",
    },
    "en": {
        "name": "Your name",
        "email": "Your e-mail address",
        "consent": "I agree that Outreach",
        "send": "Send my letter",
        "invisible": "invisible character",
        "smtputf8": "it does not announce SMTPUTF8",
    },
}


def serious_violations(page: Page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_address_with_a_direction_mark_is_refused_next_to_the_field(page: Page, serve, language: str) -> None:
    words = WORDS[language]

    def fill() -> None:
        build_directory()
        campaign()

    site = serve(fill, FORM_MIN_SECONDS=0)
    with serve.app.app_context():
        member_id = db.session.scalar(db.select(Member.id).where(Member.surname == "Yeşilgöz"))
    page.goto(f"{site}/language/{language}")
    for device, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site}/campaigns/khojaly/letter?to=member:{member_id}")
        page.get_by_label(words["name"]).fill("Aysel Mammadova")
        page.get_by_label(words["email"]).fill("aysel\u202e@example.org")
        page.get_by_label(words["consent"]).check()
        page.get_by_role("button", name=words["send"]).click()
        assert words["invisible"] in page.locator("body").inner_text()
        assert page.get_by_label(words["email"]).input_value() == "aysel\u202e@example.org"  # nothing typed is lost
        assert fits(page) and serious_violations(page) == []
        screenshot(page, f"addresses-refused-{language}-{device}")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_outbox_explains_a_message_the_relay_could_not_take(page: Page, serve, language: str) -> None:
    with SinkServer() as server:  # does not announce SMTPUTF8

        def fill() -> None:
            build_directory()
            account("admin@example.org", "admin")

        site = serve(fill, MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0, MAIL_SMTPUTF8=True)
        with serve.app.app_context():
            message_id = notice("jürgen@example.org").id
            Worker().run(once=True)
    log_in(page, site)
    page.goto(f"{site}/language/{language}")
    for device, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for path, name in ((f"/admin/outbox/{message_id}", "message"), ("/admin/outbox/", "outbox")):
            page.goto(f"{site}{path}")
            text = page.locator("main").inner_text()
            assert WORDS[language]["smtputf8"] in text and "Error" not in text
            # (The admin pages' own width at 390 px, e.g. a long Message-ID, is the mobile layouts' work.)
            assert serious_violations(page) == []
            screenshot(page, f"addresses-outbox-{name}-{language}-{device}")
