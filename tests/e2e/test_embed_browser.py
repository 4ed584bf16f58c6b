"""Embeds in a real browser: a partner's page on another origin (localhost, while the app is 127.0.0.1) frames the
campaign's card; with third-party cookies blocked, its button opens the path in a new tab, a supporter writes and
confirms a letter, and the report counts it as embed:localhost. A page on an origin not listed is refused the frame."""

import json
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from outreach.campaigns import stats
from outreach.campaigns.embeds import snippets
from outreach.campaigns.models import Campaign, Submission
from outreach.extensions import db
from outreach.outbox.worker import Worker
from tests.builders import build_directory, campaign
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, screenshot
from tests.smtpserver import SinkServer

pytestmark = pytest.mark.e2e


class PartnerSite:
    """A partner's page on its own loopback port, framing the campaign with the organiser's snippet."""

    def __init__(self) -> None:
        self.snippet = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Partner</title></head>'
                    f"<body><main><h1>Stichting Partner</h1>{site.snippet}</main></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_port}"  # another site than the app's 127.0.0.1
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partners() -> Iterator[tuple[PartnerSite, PartnerSite]]:
    listed, unlisted = PartnerSite(), PartnerSite()
    yield listed, unlisted
    listed.close()
    unlisted.close()


@pytest.fixture
def blocking_page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A tab in a browser profile that blocks third-party cookies (Chromium's own setting)."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    preferences = {"profile": {"block_third_party_cookies": True, "cookie_controls_mode": 1}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        locale="nl-NL",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_listed_partner_frames_the_card_and_a_supporter_writes_from_it(
    blocking_page: Page, serve, partners: tuple[PartnerSite, PartnerSite]
) -> None:
    page = blocking_page
    listed, unlisted = partners
    with SinkServer() as server:

        def fill() -> None:
            build_directory()
            campaign(embed_origins=listed.origin)

        site = serve(fill, MAIL_PORT=server.port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0, FORM_MIN_SECONDS=0)
        with serve.app.app_context():
            row = db.session.scalars(db.select(Campaign)).one()
            with serve.app.test_request_context():
                [(origin, snippet)] = snippets(row)
        assert origin == listed.origin and site in snippet
        listed.snippet = unlisted.snippet = snippet

        page.goto(listed.origin)
        frame = page.frame_locator("iframe[data-outreach-embed]")
        expect(frame.get_by_role("heading", level=1)).to_have_text("Erkenning van Khojaly")
        # The sizing script (from the app's static files) fits the frame to the card the frame reports.
        expect(page.locator("iframe[data-outreach-embed]")).to_have_attribute("style", re.compile(r"height: \d+px"))
        embedded = next(f for f in page.frames if "/embed" in f.url)
        assert embedded.evaluate("document.cookie = 'probe=1'; document.cookie") == ""  # no cookies in the frame
        screenshot(page, "embed-partner")

        with page.context.expect_page() as opened:
            frame.get_by_role("link", name="Schrijf een brief").click()
        tab = opened.value
        tab.wait_for_load_state()
        assert tab.url.startswith(f"{site}/campaigns/khojaly") and "ref=embed:localhost" in tab.url
        tab.get_by_role("link", name="Schrijf een brief").first.click()
        tab.get_by_label("Commissie", exact=True).select_option("BuZa")
        tab.get_by_role("button", name="Zoeken").click()
        tab.get_by_label("Tom van der Lee").check()
        tab.get_by_role("button", name="Verder naar de brief").first.click()
        tab.get_by_label("Uw naam").fill("Aysel Mammadova")
        tab.get_by_label("Uw e-mailadres").fill("aysel@example.org")
        tab.get_by_label("Ik geef toestemming").check()
        tab.get_by_role("button", name="Verstuur mijn brief").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Kijk in uw mailbox")

        with serve.app.app_context():
            Worker().run(once=True)
        [delivery] = server.sink.delivered
        link = re.search(
            r"http://\S+/confirm/\S+", message_from_bytes(delivery.raw, policy=policy.default).get_content()
        )
        tab.goto(link.group(0))
        tab.get_by_role("button", name="Bevestigen en versturen").click()
        expect(tab.locator(".letter-states li")).to_have_count(1)

        with serve.app.app_context():
            submission = db.session.scalars(db.select(Submission)).one()
            assert submission.ref == "embed:localhost" and submission.confirmed_at is not None
            assert stats.by_source(db.session.get(Campaign, submission.campaign_id)) == [("embed:localhost", 1, 1)]

        # The same snippet on a site the organiser did not list: the browser refuses to show the card.
        page.goto(unlisted.origin)
        expect(page.get_by_role("heading", name="Stichting Partner")).to_be_visible()
        refused = next(f for f in page.frames if f is not page.main_frame)
        # The frame only gets Chromium's error page once the refused answer has arrived: wait for it, not the clock.
        for _ in range(300):  # up to 15 s, as long as any waiting assertion
            if refused.url.startswith("chrome-error://"):
                break
            page.wait_for_timeout(50)
        assert refused.url.startswith("chrome-error://")  # Chromium's page for a frame its CSP refused
        assert "Khojaly" not in refused.locator("body").inner_text()
