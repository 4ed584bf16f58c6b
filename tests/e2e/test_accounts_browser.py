"""Organiser accounts in a real browser, on a phone (390 px) and a desktop (1280 px), in Dutch and English: setting
up the second factor and logging in with a code or a recovery code, changing the password, resetting it by e-mail."""

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox.models import NOTICE, OutboxMessage
from tests.builders import PASSWORD, account, build_directory
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "kastanje regenjas fluit 77"
TEXT = {
    "nl": {
        "home": "Organisatorenhome",
        "enrol": "Een tweede factor instellen",
        "codes": "Uw herstelcodes",
        "code step": "Tweede stap: uw code",
        "recovery used": "Herstelcode gebruikt; nog 9 over.",
        "changed": "Uw wachtwoord is gewijzigd. U bent overal elders uitgelogd.",
        "forgot": "Wachtwoord vergeten?",
        "sent": "Als er een organisatorenaccount voor dit adres bestaat",
        "reset done": "Uw wachtwoord is gewijzigd. Log ermee in.",
        "log out": "Uitloggen",
    },
    "en": {
        "home": "Organiser home",
        "enrol": "Set up a second factor",
        "codes": "Your recovery codes",
        "code step": "Second step: your code",
        "recovery used": "Recovery code used; 9 left.",
        "changed": "Your password is changed. You are logged out everywhere else.",
        "forgot": "Forgot your password?",
        "sent": "If an organiser account exists for this address",
        "reset done": "Your password is changed. Log in with it.",
        "log out": "Log out",
    },
}


@pytest.fixture
def site(serve: Callable) -> str:
    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")
        account("org@example.org", "organiser")

    return serve(fill, ACCOUNTS_REQUIRE_TOTP_FOR="admin")


def open_page(browser: Browser, site: str, width: int, language: str) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{site}/language/{language}")
    return page


def check_page(page: Page, name: str) -> None:
    """What a visitor would notice: nothing of the page's content wider than the screen, nothing serious for axe;
    and a picture. (The admin bar's own phone layout is checked with the other admin pages.)"""
    width = page.viewport_size["width"]
    too_wide = page.evaluate(
        "w => [...document.querySelectorAll('main, main *')].filter(e => e.getBoundingClientRect().right > w)"
        ".map(e => e.tagName + '.' + e.className)",
        width,
    )
    assert not too_wide, (name, too_wide)
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, (name, serious)
    screenshot(page, name)


def log_in(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/admin/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.form button").click()


def log_out(page: Page, language: str) -> None:
    page.get_by_role("button", name=TEXT[language]["log out"]).click()
    page.wait_for_url(re.compile(r"/admin/login$"))


def h1(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize(("width", "language"), [(390, "nl"), (1280, "nl"), (390, "en"), (1280, "en")])
def test_an_admin_sets_up_the_second_factor_and_logs_in_with_a_code_and_a_recovery_code(
    browser: Browser, site: str, width: int, language: str
) -> None:
    text = TEXT[language]
    page = open_page(browser, site, width, language)
    log_in(page, site, "admin@example.org")
    page.wait_for_url(f"{site}/admin/account/second-factor")  # no organiser page before the second factor
    assert h1(page) == text["enrol"]
    assert page.locator(".qr svg").is_visible()
    check_page(page, f"accounts-enrol-{width}-{language}")
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.locator("#code").fill(totp.now())
    page.locator("form.form button").click()
    assert h1(page) == text["codes"]
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check_page(page, f"accounts-recovery-codes-{width}-{language}")
    page.locator("main a.button").click()
    assert h1(page) == text["home"]
    log_out(page, language)

    log_in(page, site, "admin@example.org")
    page.wait_for_url(f"{site}/admin/login/code")
    assert h1(page) == text["code step"]
    check_page(page, f"accounts-login-code-{width}-{language}")
    page.goto(f"{site}/admin/")
    assert page.url.startswith(f"{site}/admin/login")  # the password alone did not log in
    log_in(page, site, "admin@example.org")
    page.locator("#code").fill(totp.at(time.time() + 30))  # the next step's code: the one just used is spent
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    assert h1(page) == text["home"]
    log_out(page, language)

    log_in(page, site, "admin@example.org")
    page.locator("#code").fill(codes[3])
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    assert text["recovery used"] in page.locator(".flash").inner_text()
    page.goto(f"{site}/admin/accounts")  # where an admin removes someone else's second factor
    check_page(page, f"accounts-list-{width}-{language}")
    page.context.close()


@pytest.mark.parametrize(("width", "language"), [(390, "nl"), (1280, "en")])
def test_an_organiser_changes_their_password_and_is_logged_out_elsewhere(
    browser: Browser, site: str, width: int, language: str
) -> None:
    text = TEXT[language]
    elsewhere = open_page(browser, site, 1280, language)
    log_in(elsewhere, site, "org@example.org")
    elsewhere.wait_for_url(f"{site}/admin/")

    page = open_page(browser, site, width, language)
    log_in(page, site, "org@example.org")
    page.wait_for_url(f"{site}/admin/")
    page.locator(".my-account").click()
    check_page(page, f"accounts-my-account-{width}-{language}")
    page.locator("main a[href='/admin/account/password']").click()
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#new_password").fill("password1234")
    page.locator("#confirm").fill("password1234")
    page.locator("form.form button").click()
    assert page.locator("#new_password-error").is_visible()  # too common: said next to the field
    assert page.locator("#new_password").get_attribute("aria-invalid") == "true"
    check_page(page, f"accounts-password-refused-{width}-{language}")
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#new_password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/account")
    assert text["changed"] in page.locator(".flash").inner_text()
    page.goto(f"{site}/admin/campaigns/")
    assert page.url == f"{site}/admin/campaigns/"  # this browser carries on

    elsewhere.goto(f"{site}/admin/campaigns/")
    assert elsewhere.url.startswith(f"{site}/admin/login")  # the other one is logged out
    log_in(elsewhere, site, "org@example.org", NEW_PASSWORD)
    elsewhere.wait_for_url(f"{site}/admin/")
    page.context.close()
    elsewhere.context.close()


@pytest.mark.parametrize(("width", "language"), [(390, "en"), (1280, "nl")])
def test_a_forgotten_password_is_reset_by_a_link_in_the_mail(
    browser: Browser, serve: Callable, site: str, width: int, language: str
) -> None:
    text = TEXT[language]
    page = open_page(browser, site, width, language)
    page.goto(f"{site}/admin/login")
    page.get_by_role("link", name=text["forgot"]).click()
    check_page(page, f"accounts-reset-request-{width}-{language}")
    page.locator("#email").fill("org@example.org")
    page.locator("form.form button").click()
    assert text["sent"] in page.locator("main").inner_text()
    check_page(page, f"accounts-reset-sent-{width}-{language}")
    with serve.app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == NOTICE, OutboxMessage.recipient == "org@example.org")
        ).one()
    link = re.search(r"http://\S+/admin/password-reset/\S+", body).group(0)

    page.goto(link)
    check_page(page, f"accounts-reset-{width}-{language}")
    page.locator("#new_password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/login")
    assert text["reset done"] in page.locator(".flash").inner_text()
    log_in(page, site, "org@example.org", NEW_PASSWORD)
    page.wait_for_url(f"{site}/admin/")
    response = page.goto(link)
    assert response is not None and response.status == 410  # used once
    page.context.close()
