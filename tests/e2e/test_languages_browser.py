"""The supporter's path for a reader of a reading language (Turkish; Azerbaijani too once the site offers it), on a
phone (390 px) and a desktop (1280 px): the browser's language chosen on arrival, the campaign's letter with its
reading translation beside it (under it on a phone), which says the members receive it in Dutch; a gentle note
while typing one's own words in Turkish; the confirmation e-mail in the reader's language from a real SMTP server;
the letter itself sent in Dutch."""

import re
from email import message_from_bytes, policy

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, expect

from outreach.campaigns.cli import BUNDLED, load_campaign
from outreach.campaigns.models import Letter
from outreach.campaigns.reading import LETTER_LANGUAGES
from outreach.config import DEFAULTS
from outreach.directory.demo import load_demo
from outreach.extensions import db
from outreach.outbox.worker import Worker
from tests.e2e.conftest import open_screen, screenshot
from tests.e2e.test_letter_browser import fits, no_serious_violations
from tests.smtpserver import SinkServer

pytestmark = pytest.mark.e2e

OWN_WORDS = {
    "tr": "Benim dedem Hocalı'da yaşıyordu ve bu olay bizim ailemiz için çok önemli, bunu hiç unutmadık.",
    "az": "Mənim babam Xocalıda yaşayırdı və bu hadisə bizim ailə üçün çox vacibdir, biz bunu heç unutmamışıq.",
}
ENGLISH = [
    "Write a letter",
    "Continue to the letter",
    "Your name",
    "Your e-mail address",
    "Send my letter",
    "Check your mail",
    "Confirm and send",
    "Thank you: your letter is confirmed",
    "The members receive your letter in Dutch.",
    "Your own words seem not to be in Dutch. You may write in any language, but the members receive the letter in "
    "Dutch and may not understand them: perhaps add a sentence in Dutch.",
]


def bundled_site(serve, port: int) -> str:
    def fill() -> None:
        load_demo()
        load_campaign(BUNDLED / "khojaly.json")

    return serve(fill, MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0, FORM_MIN_SECONDS=0)


def words_in(app, code: str) -> dict[str, str]:
    """The path's words as the reader sees them, from the catalogue itself."""
    with app.test_request_context("/"), force_locale(code):
        return {english: gettext(english) for english in ENGLISH}


@pytest.mark.parametrize("language", [code for code in DEFAULTS["LANGUAGES"] if code not in LETTER_LANGUAGES])
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_reader_of_another_language_reads_the_letter_in_it_and_sends_it_in_dutch(
    browser: Browser, serve, screen: str, language: str
) -> None:
    context, page, errors = open_screen(browser, screen, locale=language)
    shot = f"{screen}-{language}"
    with SinkServer() as server:
        site = bundled_site(serve, server.port)
        words = words_in(serve.app, language)
        page.goto(f"{site}/campaigns/khojaly?ref=share:whatsapp")
        assert page.locator("html").get_attribute("lang") == language  # from Accept-Language, no click needed
        page.get_by_role("link", name=words["Write a letter"]).first.click()
        page.get_by_role("button", name=words["Continue to the letter"]).first.click()  # BuZa's chair, ticked

        # The letter and its reading translation: beside it on a desktop, under it on a phone.
        letter_box = page.locator(".letter-and-reading > fieldset").bounding_box()
        reading = page.locator("aside.reading")
        expect(reading).to_be_visible()
        reading_box = reading.bounding_box()
        if screen == "desktop":
            beside = reading_box["x"] >= letter_box["x"] + letter_box["width"] - 1
            assert beside and reading_box["y"] < letter_box["y"] + 200
        else:
            assert reading_box["y"] >= letter_box["y"] + letter_box["height"] - 1
        expect(page.locator("#received-in")).to_have_text(words["The members receive your letter in Dutch."])
        expect(reading).to_contain_text("613")
        body = page.locator("textarea[name=body]")
        assert "Azerbeidzjaanse" in body.input_value()  # the letter being sent is the Dutch one
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"reading-{shot}")

        # Own words in Turkish: a gentle note while typing, and nothing stops the letter.
        page.wait_for_load_state("load")
        body.fill(OWN_WORDS[language] + "\n\n" + body.input_value())
        expect(page.locator("#language-warning")).to_have_text(words[ENGLISH[-1]])
        page.get_by_label(words["Your name"]).fill("Aysel Mammadova")
        page.get_by_label(words["Your e-mail address"]).fill("aysel@example.org")
        page.locator("#consent").check()
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"reading-note-{shot}")
        page.get_by_role("button", name=words["Send my letter"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["Check your mail"])
        fits(page)

        # The confirmation e-mail, in the reader's language, through a real SMTP server.
        with serve.app.app_context():
            Worker().run(once=True)
        mail = message_from_bytes(server.sink.delivered[-1].raw, policy=policy.default)
        with serve.app.test_request_context("/"), force_locale(language):
            # (stripped: a long non-ASCII subject is folded after "Subject:", which some readers show as a space)
            assert mail["Subject"].strip().startswith(gettext("Please confirm your letter to %(names)s")[:6])
        page.goto(re.search(r"http://\S+/confirm/\S+", mail.get_content()).group(0))
        page.get_by_role("button", name=words["Confirm and send"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["Thank you: your letter is confirmed"])
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"reading-thank-you-{shot}")

        with serve.app.app_context():
            letters = db.session.scalars(db.select(Letter)).all()
            assert letters and all(letter.body.startswith("Geachte") for letter in letters)
            assert all(OWN_WORDS[language] in letter.body for letter in letters)
            assert not any("Hocalı katliamı" in letter.body for letter in letters)  # the translation is never sent
    assert errors == []
    context.close()
