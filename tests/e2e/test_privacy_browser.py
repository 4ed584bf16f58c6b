"""A supporter's own data in a real browser: ask for the link, open it, see and erase everything; the privacy
statement."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox.models import NOTICE, OutboxMessage
from tests.builders import build_directory, campaign, sent_letters
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def serious(page: Page) -> list:
    return [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_supporter_sees_and_erases_their_data(page: Page, serve) -> None:
    def fill() -> None:
        ids = build_directory()
        sent_letters(campaign(), [ids["yesilgoz"]], supporter_no=5)

    site = serve(fill)
    page.goto(f"{site}/privacy")
    assert "730 dagen" in page.locator("#retention").inner_text()
    assert not serious(page)

    page.get_by_role("link", name="Mijn gegevens").first.click()
    page.get_by_label("Uw e-mailadres").fill("supporter5@example.org")
    page.get_by_role("button", name="Stuur mij de link").click()
    with serve.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == NOTICE)).one()
    page.goto(re.search(r"http://\S+/privacy/my-data/\S+", body).group(0))
    page.get_by_role("button", name="Mijn gegevens tonen").click()
    assert "Dilan Yeşilgöz" in page.locator("#my-letters").inner_text()
    page.get_by_text("letter (1)").click()  # the full rows, table by table
    assert "Ik vraag uw aandacht." in page.locator("details[open]").inner_text()
    screenshot(page, "privacy-data")
    assert not serious(page)
    page.get_by_role("button", name="Mijn gegevens wissen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Uw gegevens zijn gewist"
    with serve.app.app_context():
        assert db.session.scalar(select(OutboxMessage.supporter_email).where(OutboxMessage.kind == "letter")) is None
