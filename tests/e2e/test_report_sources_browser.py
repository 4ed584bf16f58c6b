"""The report's "where supporters came from" section on a phone and a desktop: readable without sideways
scrolling, and nothing serious for axe-core, in Dutch and English."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.builders import account, build_directory
from tests.e2e.conftest import screenshot
from tests.e2e.test_layout_browser import log_in, overflowing
from tests.test_report_sources import build_spread

pytestmark = pytest.mark.e2e


def fill() -> None:
    account("admin@example.org", "admin")
    build_spread(build_directory())


@pytest.mark.parametrize(
    ("language", "heading"), [("nl", "Waar ondersteuners vandaan kwamen"), ("en", "Where supporters came from")]
)
def test_the_sources_fit_a_phone_and_a_desktop_and_pass_axe(
    browser: Browser, serve, language: str, heading: str
) -> None:
    url = serve(fill)
    with serve.app.app_context():
        campaign_id = db.session.scalar(db.select(Campaign.id))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/language/{language}")
    log_in(page, url)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{url}/admin/reports/{campaign_id}")
        section = page.locator("#sources")
        expect(section.locator("h2")).to_have_text(heading)
        expect(section.locator("tr[data-source='share:whatsapp'] td").first).to_have_text("WhatsApp")
        expect(section.locator("figure.chart")).to_have_count(4)  # every kind with letters sent: not "other links"
        page.locator("#source-days summary").click()
        expect(page.locator("#source-days tbody tr")).to_have_count(6)
        assert overflowing(page) == [], (width, overflowing(page))
        serious = [
            (violation["id"], [node["target"] for node in violation["nodes"]][:3])
            for violation in Axe().run(page).response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert serious == [], (width, serious)
        screenshot(page, f"report-sources-{width}-{language}")
    context.close()
