"""The directory in a real browser: filtering, searching, switching language, and accessibility (axe-core)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def listed(page: Page) -> list[str]:
    return page.locator(".member-name").all_inner_texts()


def test_filter_by_party_committee_and_role_without_javascript(browser, known_site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{known_site}/members")
    assert len(listed(page)) == 6
    page.select_option("#party", "VVD")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"party=VVD"))
    assert listed(page) == ["Pieter 't Hart", "Dilan Yeşilgöz"]
    assert page.locator(".result-count").inner_text() == "2 leden gevonden van de 6."

    page.select_option("#party", "")
    page.select_option("#committee", "BuZa")
    page.select_option("#role", "chair")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"role=chair"))
    assert listed(page) == ["Dilan Yeşilgöz"]
    assert page.locator("#committee").input_value() == "BuZa"  # the form keeps what was chosen
    context.close()


def test_search_ignores_accents_and_case(page: Page, known_site: str) -> None:
    page.goto(f"{known_site}/members")
    page.get_by_label("Naam").fill("yesilgoz")
    page.get_by_label("Naam").press("Enter")
    page.wait_for_url(re.compile(r"q=yesilgoz"))
    assert listed(page) == ["Dilan Yeşilgöz"]
    page.get_by_role("link", name="Dilan Yeşilgöz").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dilan Yeşilgöz"
    screenshot(page, "member-page-nl")


def test_language_switch_keeps_the_page_and_its_filters(page: Page, known_site: str) -> None:
    page.goto(f"{known_site}/members?party=VVD")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/members\?party=VVD"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Members of the House"
    assert listed(page) == ["Pieter 't Hart", "Dilan Yeşilgöz"]
    screenshot(page, "members-filtered-en")
    page.goto(f"{known_site}/committees")
    assert page.get_by_role("link", name="Standing Committee on Foreign Affairs").is_visible()
    page.get_by_role("link", name="Nederlands").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Commissies"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pages_have_no_serious_accessibility_violations(page: Page, demo_site: str, language: str) -> None:
    page.goto(f"{demo_site}/language/{language}")
    page.goto(f"{demo_site}/members")
    member_url = page.locator(".member-name").first.get_attribute("href")
    page.goto(f"{demo_site}/committees")
    committee_url = page.locator("table a").first.get_attribute("href")
    axe = Axe()
    for path in ["/", "/members", member_url, committee_url, "/parties", "/members?party=nope"]:
        page.goto(f"{demo_site}{path}")
        results = axe.run(page)
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{path} ({language}): {serious}"
    page.goto(f"{demo_site}/")
    screenshot(page, f"home-demo-{language}")
    page.goto(f"{demo_site}/members")
    screenshot(page, f"members-demo-{language}")
    page.goto(f"{demo_site}{committee_url}")
    screenshot(page, f"committee-demo-{language}")
