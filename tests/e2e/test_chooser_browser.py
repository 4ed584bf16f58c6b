"""The recipient chooser in a real browser: chips and a live count while ticking and removing, the cap's warning,
and the same choices kept without JavaScript."""

import re

import pytest
from playwright.sync_api import Browser, expect

from outreach.directory.demo import load_demo
from outreach.directory.models import Committee, CommitteeOverride, ExtraTarget
from outreach.extensions import db
from tests.builders import build_directory, campaign
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def fill() -> None:
    build_directory()
    petitions = ExtraTarget(name="Commissie voor de Verzoekschriften", email="petities@tweedekamer.example")
    db.session.add(petitions)
    db.session.flush()
    campaign(max_recipients=3, extra_targets=[petitions.id])


def test_ticking_adds_chips_and_the_count_follows_live(browser: Browser, serve) -> None:
    url = serve(fill)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{url}/campaigns/khojaly/choose?committee=BuZa&action=filter")
    chips = page.locator(".chips .chip-name")
    count = page.locator("[data-count]")
    for name in ("Dilan Yeşilgöz", "Tom van der Lee", "Anna de Vries"):
        page.get_by_label(name).check()
    expect(chips).to_have_text(["Dilan Yeşilgöz", "Tom van der Lee", "Anna de Vries"])
    expect(count).to_have_text("3")
    expect(page.locator("[data-over-cap]")).to_be_hidden()
    page.get_by_label("vaste commissie voor Buitenlandse Zaken").check()
    expect(count).to_have_text("4")
    expect(page.locator("[data-over-cap]")).to_be_visible()  # more than the campaign's 3, said before "Verder"
    screenshot(page, "chooser-chips-390-nl")

    page.get_by_role("button", name="Tom van der Lee verwijderen").click()
    expect(page.get_by_label("Tom van der Lee")).not_to_be_checked()
    expect(count).to_have_text("3")
    expect(page.locator("[data-over-cap]")).to_be_hidden()
    page.get_by_role("button", name="Verder naar de brief").first.click()
    page.wait_for_url(re.compile(r"/letter\?"))
    assert page.url.count("to=") == 3 and "to=committee:" in page.url
    context.close()


def test_without_javascript_chips_come_from_the_server(browser: Browser, serve) -> None:
    url = serve(fill)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{url}/campaigns/khojaly/choose?committee=BuZa&action=filter")
    page.get_by_label("Dilan Yeşilgöz").check()
    page.get_by_label("Anna de Vries").check()
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".chips .chip-name")).to_have_text(["Anna de Vries", "Dilan Yeşilgöz"])
    page.get_by_role("button", name="Dilan Yeşilgöz verwijderen").click()
    expect(page.locator(".chips .chip-name")).to_have_text(["Anna de Vries"])
    expect(page.locator("[data-count]")).to_have_text("1")
    context.close()


def demo_with_a_committee_address() -> None:
    from outreach.campaigns.cli import BUNDLED, load_campaign

    load_demo()
    load_campaign(BUNDLED / "khojaly.json")
    buza = db.session.scalar(db.select(Committee).where(Committee.abbreviation == "BuZa"))
    if buza.override is None:
        buza.override = CommitteeOverride()
    buza.override.email = buza.override.email or "cie.buza@tweedekamer.example"


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_chooser_as_a_supporter_sees_it(browser: Browser, serve, language: str, width: int) -> None:
    url = serve(demo_with_a_committee_address)
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{url}/language/{language}")
    page.goto(f"{url}/campaigns/khojaly/choose?committee=BuZa")
    expect(page.locator(".chips .chip")).not_to_have_count(0)  # the campaign's chair and vice-chair
    page.locator("button[value=add]").click()
    expect(page.locator(".chips .chip")).to_have_count(10)  # the bundled campaign's limit
    expect(page.locator(".chosen .notice[role=status] p")).to_have_count(2)  # added, and who was left out
    screenshot(page, f"chooser-{width}-{language}")
    context.close()
