"""Organisers in a real browser, in Dutch and English: a Dutch Excel file imported, the audit log and syncs read."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from outreach.accounts.models import AuditEntry
from outreach.directory.models import SyncRun
from outreach.extensions import db
from tests.builders import PASSWORD, account, build_directory
from tests.e2e.conftest import screenshot
from tests.test_dutch import SYNC_ERROR, WINTER

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(serve) -> str:
    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")
        db.session.add(SyncRun(started_at=WINTER, finished_at=WINTER, status="failed", url="x", error=SYNC_ERROR))
        db.session.add(AuditEntry(at=WINTER, account_email="admin@example.org", action="outbox.pause"))

    return serve(fill)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_a_dutch_excel_file_imports_and_admin_pages_read_in_the_visitors_language(
    page: Page, site: str, tmp_path: Path, language: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/language/{language}")
    page.goto(f"{site}/admin/login")
    page.locator("#email").fill("admin@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")

    upload = tmp_path / "leden.csv"  # as Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)"
    upload.write_bytes("tk_id;name;email;salutation\r\n;Anna de Vries;;Beste Özlem, café,\r\n".encode("cp1252"))
    page.goto(f"{site}/admin/directory/import")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("form.form button").click()
    assert "Beste Özlem, café," in page.locator("table").inner_text()
    field = {"nl": "aanhef", "en": "salutation"}[language]
    assert field in page.locator("table").inner_text()
    screenshot(page, f"dutch-import-{language}-{width}")

    page.goto(f"{site}/admin/audit")
    assert {"nl": "verzending gepauzeerd", "en": "paused sending"}[language] in page.locator("table").inner_text()
    assert "12:05" in page.locator("table").inner_text()  # 11:05 UTC, in Amsterdam
    screenshot(page, f"dutch-audit-{language}-{width}")

    page.goto(f"{site}/admin/directory/sync")
    gave_up = {"nl": "nog steeds na 5 pogingen", "en": "still after 5 attempts"}[language]
    assert gave_up in page.locator("table").inner_text()
    screenshot(page, f"dutch-syncs-{language}-{width}")
