"""The supporter's path on a phone (390 px) and a desktop (1280 px), in Dutch and English: arriving from a shared
link, a letter whose words survive changing recipients and the page's language, a live preview, the error summary,
"check your mail" with the address and one more e-mail, the confirmation from a real SMTP server, and the thank-you
page whose share links bring the next supporter."""

import re
from email import message_from_bytes, policy

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from outreach.campaigns.models import Submission
from outreach.extensions import db
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import build_directory, campaign
from tests.e2e.conftest import open_screen, screenshot
from tests.smtpserver import SinkServer

pytestmark = pytest.mark.e2e

WORDS = {
    "nl": {
        "other": "English",
        "back": "Nederlands",
        "write": "Schrijf een brief",
        "continue": "Verder naar de brief",
        "change": "Ontvangers wijzigen",
        "name": "Uw naam",
        "email": "Uw e-mailadres",
        "consent": "Ik geef toestemming",
        "send": "Verstuur mijn brief",
        "generic": "Geachte heer/mevrouw [naam Kamerlid],",
        "salutation": "Geachte mevrouw Yeşilgöz,",
        "again": "Stuur de e-mail opnieuw",
        "sent_again": "opnieuw gestuurd naar aysel@example.org",
        "confirm": "Bevestigen en versturen",
        "share": "Vraag nog iemand om te schrijven",
        "copy": "Link kopiëren",
        "copied": "Link gekopieerd",
        "letter_language": "Schrijf de brief liever in het Engels",
        "question": "Opnieuw beginnen met de Engelse brief?",
        "keep": "Nee, mijn brief houden",
    },
    "en": {
        "other": "Nederlands",
        "back": "English",
        "write": "Write a letter",
        "continue": "Continue to the letter",
        "change": "Change recipients",
        "name": "Your name",
        "email": "Your e-mail address",
        "consent": "I agree that Outreach",
        "send": "Send my letter",
        "generic": "Dear Mr/Ms [member's name],",
        "salutation": "Dear Ms Yeşilgöz,",
        "again": "Send the e-mail again",
        "sent_again": "sent the e-mail again to aysel@example.org",
        "confirm": "Confirm and send",
        "share": "Ask one more person to write",
        "copy": "Copy link",
        "copied": "Link copied",
        "letter_language": "Write the letter in Dutch instead",
        "question": "Start again from the Dutch letter?",
        "keep": "No, keep my letter",
    },
}
PERSONAL = "Mijn familie komt uit Karabach; dit gaat mij persoonlijk aan."


def no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def site_with_campaign(serve, port: int) -> str:
    def fill() -> None:
        build_directory()
        campaign()

    return serve(fill, MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, OUTBOX_RATE=0, FORM_MIN_SECONDS=0)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_whole_path_keeps_every_word_and_ends_with_the_share_step(
    browser: Browser, serve, screen: str, language: str
) -> None:
    words = WORDS[language]
    context, page, errors = open_screen(browser, screen)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    shot = f"{screen}-{language}"
    with SinkServer() as server:
        site = site_with_campaign(serve, server.port)
        page.goto(f"{site}/campaigns/khojaly?ref=share:whatsapp")
        if language == "en":
            page.get_by_role("link", name="English").click()
        page.get_by_role("link", name=words["write"]).first.click()
        for name in ("Dilan Yeşilgöz", "Tom van der Lee"):
            page.get_by_label(name).check()
        page.get_by_role("button", name=words["continue"]).first.click()

        # The letter: salutation and signature are text around the box, the preview follows the typing.
        body = page.locator("textarea[name=body]")
        assert "{salutation}" not in body.input_value() and "{supporter_name}" not in body.input_value()
        assert page.locator("#letter-head .locked-text").inner_text() == words["generic"]
        previews = page.locator("details.preview")
        page.wait_for_load_state("load")  # the page's script has run
        assert [previews.nth(i).get_attribute("open") is not None for i in range(2)] == (
            [False, False] if screen == "phone" else [True, False]
        )
        body.fill(PERSONAL + "\n\n" + body.input_value())
        page.get_by_label(words["name"]).fill("Aysel Mammadova")
        first = previews.filter(has_text="Dilan Yeşilgöz").locator(".letter-text").text_content()
        assert first.startswith(f"{words['salutation']}\n\n{PERSONAL}") and first.rstrip().endswith("Aysel Mammadova")
        assert page.locator("#letter-tail .locked-text").inner_text() == "Aysel Mammadova"
        fits(page)
        screenshot(page, f"letter-{shot}")

        # Changing recipients and the page's language keep every word (the server carries the draft).
        page.get_by_role("button", name=words["change"]).click()
        page.get_by_label("Anna de Vries").check()
        page.get_by_role("button", name=words["continue"]).first.click()
        assert PERSONAL in body.input_value() and page.get_by_label(words["name"]).input_value() == "Aysel Mammadova"
        assert previews.count() == 3
        page.locator(".language-switch").get_by_role("button", name=words["other"]).click()
        assert PERSONAL in body.input_value()
        page.locator(".language-switch").get_by_role("button", name=words["back"]).click()
        assert PERSONAL in body.input_value() and page.locator("html").get_attribute("lang") == language
        page.get_by_role("button", name=words["letter_language"]).click()
        question = page.get_by_role("region", name=words["question"])
        expect(question).to_be_focused()
        assert PERSONAL in body.input_value()
        no_serious_violations(page)
        screenshot(page, f"letter-language-question-{shot}")
        question.get_by_role("button", name=words["keep"]).click()
        assert PERSONAL in body.input_value()

        # A mistake: the summary names it, takes focus and leads to the field; nothing typed is lost.
        page.get_by_label(words["email"]).fill("aysel@example.org")
        page.get_by_role("button", name=words["send"]).click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        assert summary.get_by_role("link").count() == 1
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"letter-error-{shot}")
        summary.get_by_role("link").click()
        assert page.url.endswith("#consent")
        assert PERSONAL in body.input_value()
        page.get_by_label(words["consent"]).check()
        page.get_by_role("button", name=words["send"]).click()

        # Check your mail: the address used, and the e-mail once more.
        assert "aysel@example.org" in page.locator(".lead").inner_text()
        page.get_by_role("button", name=words["again"]).click()
        assert words["sent_again"] in page.locator(".flash").inner_text()
        assert page.get_by_role("button", name=words["again"]).count() == 0
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"check-mail-{shot}")

        with serve.app.app_context():
            Worker().run(once=True)
        assert [d.rcpt_tos for d in server.sink.delivered] == [["aysel@example.org"]] * 2
        mail = message_from_bytes(server.sink.delivered[-1].raw, policy=policy.default)
        page.goto(re.search(r"http://\S+/confirm/\S+", mail.get_content()).group(0))
        page.get_by_role("button", name=words["confirm"]).click()

        # The thank-you page brings the next supporter: plain links, each marked with where it was shared.
        expect(page.get_by_role("heading", name=words["share"])).to_have_count(1)  # waits for the page to load
        links = page.locator(".share-links a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) == 6
        for channel in ("whatsapp", "telegram", "email", "x", "facebook", "linkedin"):
            assert any(f"ref%3Dshare%3A{channel}" in href for href in hrefs), channel
        assert page.evaluate("[...document.scripts].every(s => s.src.startsWith(location.origin))")
        page.get_by_role("button", name=words["copy"]).click()
        expect(page.locator("#copy-status")).to_have_text(words["copied"])
        assert page.evaluate("navigator.clipboard.readText()").endswith("/campaigns/khojaly?ref=share:copy")
        no_serious_violations(page)
        fits(page)
        screenshot(page, f"thank-you-{shot}")

        with serve.app.app_context():
            submission = db.session.scalars(db.select(Submission)).one()
            assert submission.ref == "share:whatsapp" and submission.status == "confirmed"
            letters = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == LETTER)).all()
            assert len(letters) == 3 and all(PERSONAL in letter.body for letter in letters)
    assert errors == []
    context.close()


def test_what_was_typed_comes_back_after_leaving_the_page(page: Page, serve) -> None:
    with SinkServer() as server:
        site = site_with_campaign(serve, server.port)
        with serve.app.app_context():
            from outreach.directory.models import Member

            key = f"member:{db.session.scalars(db.select(Member.id).where(Member.surname == 'Yeşilgöz')).one()}"
        letter = f"{site}/campaigns/khojaly/letter?to={key}"
        page.goto(letter)
        body = page.locator("textarea[name=body]")
        body.fill(PERSONAL)
        page.get_by_label(WORDS["nl"]["name"]).fill("Aysel Mammadova")
        page.locator(".breadcrumb a").click()
        page.go_back()
        assert body.input_value() == PERSONAL
        page.goto(letter)  # opened again from the campaign, a link or history: the tab still has it
        assert body.input_value() == PERSONAL
        assert page.get_by_label(WORDS["nl"]["name"]).input_value() == "Aysel Mammadova"
