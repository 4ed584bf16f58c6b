"""Hostile or mistaken input in a real browser: a return address that points elsewhere keeps the visitor on the site,
and a file sent as the letter gets a page in the visitor's language that says what to do."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.builders import build_directory, campaign
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

REFUSAL = {
    "nl": "Dit formulier neemt getypte tekst aan, geen bestanden.",
    "en": "This form takes typed text, not files.",
}


def known_campaign() -> None:
    build_directory()
    campaign()


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%5C/evil.example", "/%0A/evil.example"])
def test_the_language_switch_keeps_the_visitor_on_the_site(page: Page, serve, target: str) -> None:
    site = serve(known_campaign)
    # Chromium drops the tab from "/\t/evil.example" and would leave for evil.example (unreachable here: an error).
    page.goto(f"{site}/language/en?next={target}")
    assert page.url == f"{site}/"
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_a_file_sent_as_the_letter_is_explained(page: Page, serve, language: str, width: int) -> None:
    site = serve(known_campaign, FORM_MIN_SECONDS=0)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/language/{language}")
    page.goto(f"{site}/campaigns/khojaly/letter?to=member:1")
    # What a script or a browser extension might do: the letter's text field replaced by a file.
    page.evaluate(
        """() => {
            const form = document.querySelector('textarea[name=body]').form;
            form.enctype = 'multipart/form-data';
            document.querySelector('textarea[name=body]').remove();
            const file = document.createElement('input');
            file.type = 'file';
            file.name = 'body';
            file.id = 'sent-file';
            form.appendChild(file);
        }"""
    )
    page.set_input_files("#sent-file", files=[{"name": "brief.txt", "mimeType": "text/plain", "buffer": b"Geachte"}])
    with page.expect_navigation():
        page.locator("#sent-file").evaluate("input => input.form.submit()")
    assert REFUSAL[language] in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []
    screenshot(page, f"file-refused-{language}-{width}")


def test_a_name_that_turns_text_around_is_explained_at_the_field(page: Page, serve) -> None:
    site = serve(known_campaign, FORM_MIN_SECONDS=0)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{site}/campaigns/khojaly/letter?to=member:1")
    page.locator("textarea[name=body]").fill("Geachte Kamer,\n\nMijn eigen woorden.")
    page.get_by_label("Uw naam").fill("Aysel\u202e Mammadova")  # pasted from a chat, with an invisible override
    page.get_by_label("Uw e-mailadres").fill("aysel@example.org")
    page.get_by_label("Ik geef toestemming").check()
    page.get_by_role("button", name="Verstuur mijn brief").click()
    assert "Hierin staat een onzichtbaar teken dat de tekst omdraait." in page.locator("main").inner_text()
    assert page.locator("textarea[name=body]").input_value() == "Geachte Kamer,\n\nMijn eigen woorden."
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "bidi-name-refused-nl-390")
