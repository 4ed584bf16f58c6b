"""Browser tests: the app served on a free loopback port, driven by Playwright in the system Chromium."""

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from outreach.directory.demo import load_demo
from outreach.extensions import db
from tests.builders import build_directory
from tests.conftest import make_app

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
# Waiting assertions wait up to 15 s instead of Playwright's 5: on two loaded cores a page can take seconds, and a
# passing assertion returns as soon as it holds, so the margin costs nothing.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("OUTREACH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's `chromium` (or set OUTREACH_CHROMIUM) to run browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        # Pages follow the browser's Accept-Language on a first visit, and Chromium asks for American English: every
        # test visits as a Dutch reader unless it asks for another language (locale="tr-TR").
        new_context = browser.new_context
        browser.new_context = lambda **options: new_context(**{"locale": "nl-NL", **options})  # type: ignore[method-assign]
        yield browser
        browser.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Callable[[], object]], str]]:
    """Start the app (with extra `config`) and data made by `fill` (in an app context); return its base URL.
    The app last started is `serve.app`."""
    servers: list[tuple[object, threading.Thread, Flask]] = []

    def start(fill: Callable[[], object], **config: object) -> str:
        app = make_app(f"sqlite:///{tmp_path}/e2e-{len(servers)}.sqlite", **config)
        with app.app_context():
            db.create_all()
            fill()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread, app))
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.port}"  # links in e-mail point at this server
        start.app = app  # type: ignore[attr-defined]
        return app.config["PUBLIC_URL"]

    yield start
    for server, thread, app in servers:
        server.shutdown()  # type: ignore[attr-defined]
        thread.join()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def known_site(serve: Callable) -> str:
    """The small known directory of tests/builders.py."""
    return serve(build_directory)


@pytest.fixture
def demo_site(serve: Callable) -> str:
    """The bundled 150-member demo directory."""
    return serve(load_demo)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def open_screen(browser: Browser, screen: str, **options: object) -> tuple[BrowserContext, Page, list[str]]:
    """A tab on a phone (390 px, touch) or a desktop (1280 px), and the list its script errors are collected in."""
    phone = screen == "phone"
    context = browser.new_context(viewport=SCREENS[screen], is_mobile=phone, has_touch=phone, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page picture for people to look at (test-artifacts/ is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
