"""The organisation's face in a real browser: an admin fills in its details and a logo, an organiser gives the
campaign a picture; the about page, privacy statement, campaign page, organiser home and handover at phone and
desktop widths in Dutch and English, with no serious axe-core violations and nothing scrolling sideways."""

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page

from tests.builders import PASSWORD, account, build_directory, campaign, sent_letters
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def campaign_site(serve) -> str:
    def fill() -> None:
        ids = build_directory()
        account("admin@example.org", "admin")
        row = campaign(goal=500)
        sent_letters(row, [ids["yesilgoz"], ids["de_vries"]], supporter_no=1)
        sent_letters(row, [ids["yesilgoz"]], supporter_no=2)

    return serve(fill)


# The pages' own content; the organisers' menu bar above it is laid out for phones elsewhere.
WIDE = """() => [...document.querySelectorAll('#main *, .site-footer *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def picture(path: Path, size: tuple[int, int], colour: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def no_serious_violations(page: Page, what: str) -> None:
    violations = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == [], f"{what}: {violations}"


def test_the_organisation_pages_at_phone_and_desktop_width(page: Page, campaign_site: str, tmp_path: Path) -> None:
    site = campaign_site
    page.goto(f"{site}/about")
    assert page.get_by_role("heading", level=1).inner_text() == "Over deze site"
    screenshot(page, "about-empty-nl")

    page.goto(f"{site}/admin/login")
    page.locator("#email").fill("admin@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    assert page.locator("#missing").is_visible()
    screenshot(page, "organiser-home-missing-nl")
    page.get_by_role("link", name="Vul de gegevens van de organisatie in").click()
    page.get_by_label("Naam van de organisatie").fill("Stichting Khojaly Herdenking")
    page.get_by_label("Korte beschrijving (Nederlands)").fill("Wij houden de herinnering aan Khojaly levend.")
    page.get_by_label("Korte beschrijving (Engels)").fill("We keep the memory of Khojaly alive.")
    page.get_by_label("Website").fill("https://khojaly.example")
    page.get_by_label("E-mailadres voor contact").fill("info@khojaly.example")
    page.get_by_label("Postadres").fill("Postbus 123\n2500 AA Den Haag")
    page.get_by_label("Verwerkingsverantwoordelijke (naam en plaats)").fill("Stichting Khojaly Herdenking, Den Haag")
    page.get_by_label("Logo (PNG, JPEG of WebP)").set_input_files(picture(tmp_path / "logo.png", (240, 240), "#8b1e2d"))
    page.get_by_label("Wat het logo laat zien (voor schermlezers)").fill("Het logo van de stichting")
    page.get_by_role("button", name="Opslaan").click()
    assert "De gegevens van de organisatie zijn opgeslagen." in page.locator(".flash").inner_text()
    page.goto(f"{site}/admin/")
    assert page.locator("#missing").count() == 0

    page.goto(f"{site}/admin/campaigns/1/image")
    page.get_by_label("Afbeelding (PNG, JPEG of WebP)").set_input_files(
        picture(tmp_path / "campaign.png", (1200, 630), "#2f4f4f")
    )
    page.get_by_label("Wat de afbeelding laat zien (Nederlands)").fill("Kaarsen bij het monument voor Khojaly")
    page.get_by_label("Wat de afbeelding laat zien (Engels)").fill("Candles at the Khojaly memorial")
    page.get_by_role("button", name="Opslaan").click()
    assert "De afbeelding is opgeslagen." in page.locator(".flash").inner_text()

    paths = {
        "about": "/about",
        "privacy": "/privacy",
        "campaign": "/campaigns/khojaly",
        "home": "/",
        "organiser-home": "/admin/",
        "organisation": "/admin/organisation",
        "campaign-image": "/admin/campaigns/1/image",
        "handover": "/admin/reports/1/handover",
    }
    for language in ("nl", "en"):
        page.goto(f"{site}/language/{language}")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in paths.items():
                page.goto(f"{site}{path}")
                what = f"{path} ({language}, {width} px)"
                no_serious_violations(page, what)
                wide = page.evaluate(WIDE)
                assert wide == [], f"{what} is wider than the screen: {wide}"
                screenshot(page, f"foundation-{name}-{language}-{width}")
    page.goto(f"{site}/about")
    assert page.get_by_role("heading", level=1).inner_text() == "About Stichting Khojaly Herdenking"
    assert page.get_by_role("img", name="Het logo van de stichting").is_visible()
    page.goto(f"{site}/campaigns/khojaly")
    assert page.get_by_role("img", name="Candles at the Khojaly memorial").is_visible()
