"""The outbox in a real browser: a letter goes through the worker to the local mail sink, an organiser reads it at
/admin/dev-mail and follows its opt-out link; the outbox page shows a failure to retry and the pause switch."""

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.devsink import FolderHandler
from outreach.outbox.models import OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import account, build_directory, letter
from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_browser import log_in
from tests.smtpserver import SinkServer, free_port

pytestmark = pytest.mark.e2e


def test_a_letter_reaches_the_dev_mail_sink_and_its_opt_out_link_works(page: Page, serve, tmp_path: Path) -> None:
    folder = str(tmp_path / "dev-mail")
    port = free_port()

    def fill() -> None:
        build_directory()
        account("admin@example.org", "admin")

    site = serve(fill, DEBUG=True, DEV_MAIL_DIR=folder, MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0)
    sink = Controller(FolderHandler(folder), hostname="127.0.0.1", port=port)
    sink.start()
    try:
        with serve.app.app_context():
            letter(db.session.scalar(db.select(Member).where(Member.surname == "Yeşilgöz")))
            Worker().run(once=True)
            assert db.session.scalar(db.select(OutboxMessage.status)) == "sent"
    finally:
        sink.stop()

    log_in(page, site)
    page.get_by_role("link", name="Ontwikkelmail").click()
    page.get_by_role("link", name="Erkenning van Khojaly").click()
    assert "Geachte mevrouw Yeşilgöz," in page.locator(".mail-text").inner_text()
    screenshot(page, "dev-mail-letter")
    page.locator(".mail-text a[href*='/opt-out/']").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Brieven aan Dilan Yeşilgöz stoppen"
    page.get_by_role("button", name="Brieven aan Dilan Yeşilgöz stoppen").click()
    assert "Gedaan" in page.get_by_role("status").inner_text()


def test_an_organiser_retries_a_failed_letter_and_pauses_sending(page: Page, serve) -> None:
    with SinkServer() as server:
        server.sink.refuse_rcpt["d.yesilgoz@tweedekamer.example"] = "550 5.1.1 No such user"

        def fill() -> None:
            build_directory()
            account("admin@example.org", "admin")

        site = serve(fill, MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0)
        with serve.app.app_context():
            yesilgoz = db.session.scalar(db.select(Member).where(Member.surname == "Yeşilgöz"))
            devries = db.session.scalar(db.select(Member).where(Member.surname == "Vries"))
            letter(yesilgoz, 1)
            letter(devries, 2)
            devries.is_current = False
            db.session.commit()
            Worker().run(once=True)

        log_in(page, site)
        page.get_by_role("link", name="Verzendwachtrij").first.click()
        assert "5.1.1 No such user" in page.locator("#failed + table").inner_text()
        assert "het Kamerlid heeft de Kamer verlaten" in page.content()
        screenshot(page, "outbox")
        results = Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()

        page.get_by_role("button", name="Opnieuw proberen bericht 1").click()
        assert page.get_by_role("status").inner_text() == "Het bericht staat weer in de wachtrij."
        page.get_by_role("button", name="Alle verzending pauzeren").click()
        assert "De verzending is gepauzeerd." in page.get_by_role("alert").inner_text()
        screenshot(page, "outbox-paused")
        page.get_by_role("button", name="Verzending hervatten").click()
        assert page.get_by_role("alert").count() == 0
