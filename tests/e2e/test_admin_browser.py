"""Organisers in a real browser: log in, correct a member, import a CSV with a bad row, log out; axe on admin pages."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD, account, build_directory
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_site(serve) -> str:
    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")

    return serve(fill)


def log_in(page: Page, site: str) -> None:
    page.goto(f"{site}/admin/")
    page.get_by_label("E-mailadres").fill("admin@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{site}/admin/")


def test_organiser_corrects_a_member_imports_a_csv_and_logs_out(page: Page, admin_site: str, tmp_path: Path) -> None:
    log_in(page, admin_site)
    assert page.get_by_role("heading", level=1).inner_text() == "Organisatorenhome"

    page.get_by_role("link", name="Beheer van de ledenlijst").first.click()
    page.get_by_role("link", name="Bewerken Pieter 't Hart").click()
    page.get_by_label("E-mailadres").fill("p.thart@tweedekamer.nl")
    page.get_by_label("Dit Kamerlid niet schrijven").check()
    page.get_by_role("button", name="Opslaan").click()
    assert "De correcties voor Pieter 't Hart zijn opgeslagen." in page.locator(".flash").inner_text()
    row = page.locator("tr", has_text="Pieter 't Hart")
    assert "p.thart@tweedekamer.nl" in row.inner_text() and "ja" in row.inner_text()

    csv_file = tmp_path / "corrections.csv"
    csv_file.write_text(
        "tk_id,name,email,salutation\n,Tom van der Lee,tom.vanderlee@tweedekamer.nl,\n,Anna de Vries,not-an-address,\n",
        encoding="utf-8",
    )
    page.goto(f"{admin_site}/admin/directory/import")
    page.get_by_label("CSV- of Excel-bestand").set_input_files(str(csv_file))
    page.get_by_role("button", name="Bekijk wat de import doet").click()
    expect(page.locator("main")).to_contain_text("2 rijen gelezen: 1 wijzigingen, 1 rijen met fouten.")
    assert "Regel 3: “not-an-address” is geen e-mailadres" in page.locator(".errors").inner_text()
    screenshot(page, "admin-import-preview")
    page.get_by_role("button", name="1 wijziging doorvoeren").click()
    assert "1 correcties geïmporteerd; 1 rijen met fouten zijn overgeslagen." in page.locator(".flash").inner_text()
    assert "tom.vanderlee@tweedekamer.nl" in page.locator("tr", has_text="Tom van der Lee").inner_text()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"/admin/login$"))
    page.goto(f"{admin_site}/admin/directory/")
    assert page.url.startswith(f"{admin_site}/admin/login")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_admin_pages_have_no_serious_accessibility_violations(page: Page, admin_site: str, language: str) -> None:
    page.goto(f"{admin_site}/language/{language}")
    page.goto(f"{admin_site}/admin/login")
    Axe().run(page)
    page.locator("#email").fill("admin@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{admin_site}/admin/")
    axe = Axe()
    paths = [
        "/admin/login",
        "/admin/",
        "/admin/directory/",
        "/admin/directory/?show=no-address",
        "/admin/directory/members/1",
        "/admin/directory/committees",
        "/admin/directory/committees/1",
        "/admin/directory/targets",
        "/admin/directory/targets/new",
        "/admin/directory/sync",
        "/admin/directory/import",
        "/admin/accounts",
        "/admin/audit",
    ]
    for path in paths:
        page.goto(f"{admin_site}{path}")
        violations = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], f"{path} ({language}): {violations}"
    page.goto(f"{admin_site}/admin/directory/")
    screenshot(page, f"admin-directory-{language}")
    page.goto(f"{admin_site}/admin/directory/members/1")
    screenshot(page, f"admin-member-{language}")
