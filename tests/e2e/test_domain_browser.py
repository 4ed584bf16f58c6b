"""The own-domain check in a real browser, on a phone and a desktop, in Dutch and English: an organiser follows the
link from the outbox, reads what to fix (a DKIM key that does not match, no DMARC record), and sends a test message."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.builders import account, build_directory
from tests.dnsserver import LocalDns
from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_browser import log_in
from tests.test_outbox_domain import KEY, OTHER_KEY, public_key_record

pytestmark = pytest.mark.e2e

WORDS = {
    "nl": {"link": "Controleer of ontvangers uw domein vertrouwen", "fix": "Er moet iets worden verholpen"},
    "en": {"link": "Check that receivers will trust your domain", "fix": "Something must be fixed"},
}

# The page's own content; the organisers' menu above it at 390 px belongs to the admin pages' mobile layout.
OVERFLOWING_IN_MAIN = """[...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map(e => e.tagName + '.' + e.className)"""


def test_an_organiser_reads_what_to_fix_and_sends_a_test_message(page: Page, serve) -> None:
    with LocalDns() as dns:
        dns.zone.add("campagne.example", "TXT", "v=spf1 ip4:192.0.2.10 ~all")
        dns.zone.add("outreach._domainkey.campagne.example", "TXT", public_key_record(OTHER_KEY)[0])

        def fill() -> None:
            build_directory()
            account("admin@example.org", "admin")

        site = serve(
            fill,
            DNS_RESOLVER=dns.address,
            LETTERS_FROM="brieven@campagne.example",
            OUTBOX_RELAY_IPS="192.0.2.10",
            DKIM_PRIVATE_KEY=KEY,
            DKIM_DOMAIN="campagne.example",
        )
        log_in(page, site)
        for language, words in WORDS.items():
            page.goto(f"{site}/language/{language}?next=/admin/outbox/")
            page.get_by_role("link", name=words["link"]).click()
            assert words["fix"] in page.get_by_role("status").inner_text()
            assert public_key_record(KEY)[0] in page.locator(".record").first.inner_text()
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                screenshot(page, f"domain-check-{language}-{width}")
                assert page.evaluate(OVERFLOWING_IN_MAIN) == [], (language, width)
            serious = [
                v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], language

        page.get_by_label("Send a test message to").fill("me@organiser.example")
        page.get_by_role("button", name="Send test message").click()
        assert "A test message to me@organiser.example is queued." in page.get_by_role("status").inner_text()
    screenshot(page, "domain-check-test-message")
