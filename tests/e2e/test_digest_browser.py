"""The daily digest in a real browser, on a phone and a desktop, in Dutch and English: an organiser switches it on
(and is told plainly what is missing), and a supporter's status page says their letter went in the digest."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from outreach.campaigns import tokens
from outreach.campaigns.digest import build_due
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox import digest, states
from outreach.outbox.models import OutboxMessage
from tests.builders import account, build_directory, campaign
from tests.e2e.conftest import screenshot
from tests.e2e.test_layout_browser import log_in
from tests.test_outbox_digest import DIGEST_HOUR, write

pytestmark = pytest.mark.e2e

SWITCH = {
    "nl": "Boven de daglimiet de verdere brieven van die dag in één dagelijkse bundel versturen",
    "en": "Past the daily limit, send the day's further letters in one daily digest",
}
TIME = {"nl": "Tijdstip van de dagelijkse bundel", "en": "Time of the daily digest"}
NO_TIME = {
    "nl": "Geef de tijd waarop de dagelijkse bundel verstuurd wordt, bijvoorbeeld 16:00.",
    "en": "Give the time at which the daily digest goes out, like 16:00.",
}
SAVED = {"nl": "Aan: boven de daglimiet", "en": "On: past the daily limit"}
IN_DIGEST = {
    "nl": "in de dagelijkse bundel aan Dilan Yeşilgöz van 2 maart 2027",
    "en": "in the daily digest to Dilan Yeşilgöz of March 2, 2027",
}


def serious(page: Page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def new_campaign_form(page: Page, site: str, language: str, slug: str, title: str) -> None:
    """The organiser, logged in with the site in `language`, on the new-campaign form with what it needs filled in
    (not saved yet)."""
    page.goto(f"{site}/language/{language}")
    log_in(page, site)
    page.goto(f"{site}/admin/campaigns/new")
    page.locator("#slug").fill(slug)
    page.locator("#title_nl").fill(title)
    page.locator("#subject_nl").fill("Onderwerp")
    page.locator("#body_nl").fill("{salutation}\n\nTekst.")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_organiser_switches_the_daily_digest_on(page: Page, serve, language: str) -> None:
    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")

    site = serve(fill)
    new_campaign_form(page, site, language, "bundel", "Bundel")
    page.get_by_label(SWITCH[language]).check()
    page.locator("button[value=save]").click()
    expect(page.locator("#digest_at-error")).to_have_text(NO_TIME[language])
    field = page.get_by_label(TIME[language])
    assert field.get_attribute("aria-invalid") == "true"
    assert page.get_by_label(SWITCH[language]).is_checked()  # what was ticked stays ticked
    assert serious(page) == []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for part in (field, page.locator("#digest_at-error"), page.locator("#digest_at ~ .hint")):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"digest-edit-{language}")
    field.fill("16:00")
    page.locator("button[value=save]").click()
    expect(page.locator("main")).to_contain_text(SAVED[language])
    expect(page.locator("main")).to_contain_text("16:00")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_supporters_status_page_says_their_letter_went_in_the_digest(page: Page, serve, language: str) -> None:
    made: dict[str, int] = {}

    def fill() -> None:
        ids = build_directory()
        row = campaign(daily_cap=1, digest=True, digest_at="16:00")
        member = db.session.get(Member, ids["yesilgoz"])
        write(row, member, 1)
        second = write(row, member, 2)
        message = db.session.get(OutboxMessage, second.outbox_message_id)
        message.status, message.next_attempt_at = states.DIGEST_WAIT, DIGEST_HOUR
        build_due(DIGEST_HOUR)
        db.session.flush()
        db.session.refresh(message)
        digest.delivered(message.digest_id, DIGEST_HOUR)
        made["submission"] = second.submission_id

    site = serve(fill)
    with serve.app.app_context():
        link = f"{site}/confirm/{tokens.confirmation(made['submission'])}"
    page.goto(f"{site}/language/{language}")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(link)
        expect(page.locator(".letter-states")).to_contain_text(IN_DIGEST[language])
        assert not scrolls_sideways(page)
    assert serious(page) == []
    screenshot(page, f"digest-status-{language}")
