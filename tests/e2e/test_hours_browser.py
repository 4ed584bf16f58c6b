"""An organiser sets a campaign's office hours in a real browser, on a phone and a desktop, in Dutch and English."""

import pytest
from playwright.sync_api import Page

from tests.builders import account, build_directory
from tests.e2e.conftest import screenshot
from tests.e2e.test_digest_browser import new_campaign_form, serious

pytestmark = pytest.mark.e2e

LABEL = {"nl": "Kantooruren voor brieven (leeg: die van de site)", "en": "Office hours for letters (empty: the site's)"}
WRONG = {
    "nl": "Schrijf de tijden als 08:00-18:00, of met dagen als ma-vr 08:00-18:00.",
    "en": "Write the hours like 08:00-18:00, or with days like mon-fri 08:00-18:00.",
}


@pytest.fixture
def admin_site(serve) -> str:
    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")

    return serve(fill)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_organiser_is_told_plainly_when_office_hours_are_not_understood(
    page: Page, admin_site: str, language: str
) -> None:
    new_campaign_form(page, admin_site, language, "kantooruren", "Kantooruren")
    page.get_by_label(LABEL[language]).fill("9 tot 5")
    page.locator("button[value=save]").click()
    field = page.get_by_label(LABEL[language])
    assert field.input_value() == "9 tot 5"
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#sending_hours-error").inner_text() == WRONG[language]
    assert serious(page) == []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        # The admin menu's own width at 390 px is another matter; the field and its hint and error fit the phone.
        for part in (field, page.locator("#sending_hours-error"), page.locator("#sending_hours ~ .hint")):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        field.scroll_into_view_if_needed()
        page.screenshot(path=f"test-artifacts/hours-{language}-{width}.png")
    screenshot(page, f"hours-edit-{language}")
