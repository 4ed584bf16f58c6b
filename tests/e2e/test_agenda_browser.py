"""In a real browser, in Dutch and English, on a phone and a desktop: an organiser watches a subject, confirms the
matches, turns the coming debate into an action; a supporter sees it on the campaign page with the recipients
pre-selected; the organiser reads the outcome ledger (with the answer to written questions) and "said and voted"."""

from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from outreach.agenda.sync import run_agenda_sync
from outreach.directory.models import Member, Party
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from tests.builders import PASSWORD, account, build_directory, campaign, sent_letters
from tests.e2e.conftest import screenshot
from tests.tkagenda import Business
from tests.tkfeed import Feed, guid, serve

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 12, 1, 12, 0)
TEXT = {
    "nl": {
        "confirm": "Bevestigen",
        "write": "Schrijf vóór dit debat",
        "deadline": "Schrijf vóór donderdag 10 december 2026, 14:00",
        "public": "Schrijf vóór het debat",
        "said": "Gezegd en gestemd",
        "for": "voor",
        "answered": "Beantwoord op 20 november 2026",
    },
    "en": {
        "confirm": "Confirm",
        "write": "Write before this debate",
        "deadline": "Write before Thursday 10 December 2026, 14:00",
        "public": "Write before the debate",
        "said": "Said and voted",
        "for": "for",
        "answered": "Answered on November 20, 2026",
    },
}


def fill() -> None:
    ids = build_directory()
    account("org@example.org", "organiser")
    row = campaign()
    for party in db.session.scalars(db.select(Party)):
        party.tk_id = guid(party.abbreviation.lower())
    for key in ("yesilgoz", "van_der_lee", "de_vries", "percent"):
        db.session.get(Member, ids[key]).tk_id = guid(key)
    db.session.commit()
    sent_letters(row, [ids["yesilgoz"]])
    feed = Feed()
    b = Business(feed)
    b.activity("eerder", "Commissiedebat Zuidelijke Kaukasus", "2026-10-01", status="Uitgevoerd")
    b.speaker("spreker", "eerder", "percent", "E. Procent", "D66")
    b.activity("straks", "Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan", "2026-12-10", "14:00")
    b.activity("stemmingen", "Stemmingen", "2026-11-17", kind="Stemmingen", committee=None)
    b.item("punt", "stemmingen", "Stemmingen over moties")
    b.case("motie", "Motie", "Motie over vrede in de Zuidelijke Kaukasus")
    b.decision("besluit", "punt", "motie", "Aangenomen.", "Met handopsteken")
    b.vote("v-vvd", "besluit", "vvd", "VVD", "Voor", 22)
    b.case("vragen", "Schriftelijke vragen", "Vragen over gevangenen in de Zuidelijke Kaukasus")
    b.document("antwoord", "vragen", "Antwoord schriftelijke vragen", "2026-11-20")
    with serve(feed):
        run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, backoff=0), now=NOW)


def no_sideways_scroll(page: Page) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls at {width} px"
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == [], page.url


@pytest.mark.parametrize("language", ["nl", "en"])
def test_from_a_watch_to_a_letter_before_the_debate_and_what_the_house_did(serve, page: Page, language: str) -> None:
    site = serve(fill, AGENDA_NOW=NOW)
    text = TEXT[language]
    page.goto(f"{site}/language/{language}")
    page.goto(f"{site}/admin/login")
    page.locator("#email").fill("org@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    campaign_id = serve.app.config.get("TEST_CAMPAIGN", 1)
    page.goto(f"{site}/admin/campaigns/{campaign_id}/agenda")
    page.locator("#watch-value").fill("zuidelijke kaukasus")
    page.locator("#watch-value ~ .hint").wait_for()
    page.locator("form.form button[type=submit]").first.click()
    expect(page.locator("#match-list")).to_contain_text("Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan")
    for _ in range(4):  # the two debates, the motion and the written questions
        page.locator("#match-list").get_by_role("button", name=text["confirm"], exact=True).first.click()
        page.wait_for_load_state()
    expect(page.locator("#match-list .match-new")).to_have_count(0)
    no_sideways_scroll(page)
    page.locator("#upcoming").get_by_role("button", name=text["write"]).click()
    expect(page.locator("#action-list .action-recipients")).to_contain_text("Eva Procent")
    expect(page.locator("#action-list .action-recipients")).to_contain_text("Dilan Yeşilgöz")
    screenshot(page, f"agenda-admin-{language}")

    page.goto(f"{site}/campaigns/khojaly")
    expect(page.locator("#coming-debate")).to_contain_text(text["deadline"])
    no_sideways_scroll(page)
    screenshot(page, f"agenda-public-{language}")
    page.locator("#coming-debate").get_by_role("link", name=text["public"]).click()
    expect(page.locator(".chips")).to_contain_text("Eva Procent")
    expect(page.locator(".chips")).to_contain_text("Tom van der Lee")

    page.goto(f"{site}/admin/campaigns/{campaign_id}/agenda/ledger")
    expect(page.locator("#ledger")).to_contain_text("Aangenomen.")
    expect(page.locator("#ledger .vote-choice").first).to_have_text(text["for"])
    expect(page.locator("#ledger .ledger-answer a")).to_have_text(text["answered"])
    no_sideways_scroll(page)
    page.goto(f"{site}/admin/reports/{campaign_id}")
    expect(page.locator("#said-and-voted")).to_have_text(text["said"])
    expect(page.locator("#said-voted-members")).to_contain_text("Dilan Yeşilgöz")
    no_sideways_scroll(page)
