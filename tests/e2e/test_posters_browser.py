"""The poster in a real browser: an organiser names a poster on the campaign's page, opens it in Turkish, and the QR
code Chromium draws (on screen at 1280 px and in print emulation) decodes to the campaign with the poster's source;
no serious axe-core violations, nothing scrolls sideways."""

import io

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from outreach.database import utcnow
from outreach.extensions import db
from outreach.organisation.models import CampaignImage
from tests.builders import PASSWORD, account, build_directory, campaign
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

TURKISH = {"title": "Hocalı katliamının tanınması", "intro": "Meclis üyelerine yazın.", "body": "Sayın {aanhef},"}


@pytest.fixture
def site(serve) -> str:
    def fill() -> None:
        build_directory()
        account("organiser@example.org", "organiser")
        row = campaign(reading={"tr": TURKISH})
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 630), "#2f4f4f").save(buffer, "PNG")
        db.session.add(
            CampaignImage(
                campaign_id=row.id,
                data=buffer.getvalue(),
                content_type="image/png",
                width=1200,
                height=630,
                alt_nl="Kaarsen bij het monument",
                updated_at=utcnow(),
            )
        )

    return serve(fill)


def decoded_code(page: Page, where: str = ".poster-qr") -> str:
    picture = Image.open(io.BytesIO(page.locator(where).screenshot()))
    found = zxingcpp.read_barcodes(picture)
    assert [code.format for code in found] == [zxingcpp.BarcodeFormat.QRCode]
    return found[0].text


def no_serious_violations(page: Page) -> None:
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def test_an_organiser_makes_a_turkish_poster_that_scans_to_the_campaign(page: Page, site: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site}/admin/login")
    page.locator("#email").fill("organiser@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    page.goto(f"{site}/admin/campaigns/1")
    page.get_by_role("link", name="Poster en QR-code").click()
    page.get_by_label("Naam van de poster").fill("bibliotheek")
    page.get_by_label("Taal van de poster").select_option("tr")
    page.get_by_role("button", name="Maak de poster").click()
    expect(page.locator(".poster-link")).to_have_text(f"{site}/campaigns/khojaly?ref=poster:bibliotheek")
    # The SVG download, as Chromium draws it in the preview.
    assert decoded_code(page, ".poster-qr-preview") == f"{site}/campaigns/khojaly?ref=poster:bibliotheek"
    no_serious_violations(page)
    screenshot(page, "poster-admin-nl-1280")

    page.get_by_role("link", name="Open de poster om te printen (A4)").click()
    page.wait_for_url("**/poster/print?*")
    poster = page.locator(".poster")
    expect(poster.locator("h1")).to_have_text(TURKISH["title"])
    expect(poster).to_contain_text("Meclis üyelerine yazın.")
    expect(poster).to_contain_text("Kodu tarayın ya da şu adrese gidin:")
    expect(poster.locator(".poster-url")).to_have_text(site.removeprefix("http://") + "/campaigns/khojaly")
    expect(poster.get_by_role("img", name="Kaarsen bij het monument")).to_be_visible()
    assert decoded_code(page) == f"{site}/campaigns/khojaly?ref=poster:bibliotheek"
    assert not scrolls_sideways(page)
    no_serious_violations(page)
    screenshot(page, "poster-tr-1280")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".poster-help")).to_be_hidden()
    assert decoded_code(page) == f"{site}/campaigns/khojaly?ref=poster:bibliotheek"
    screenshot(page, "poster-tr-print")
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # the poster fits on one A4 sheet

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert not scrolls_sideways(page)
    assert decoded_code(page) == f"{site}/campaigns/khojaly?ref=poster:bibliotheek"
    screenshot(page, "poster-tr-390")


def test_a_bad_poster_name_is_explained_on_the_form(page: Page, site: str) -> None:
    page.goto(f"{site}/admin/login")
    page.locator("#email").fill("organiser@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{site}/admin/")
    page.goto(f"{site}/admin/campaigns/1/poster")
    page.get_by_label("Naam van de poster").fill("hal 2/oost")
    page.get_by_role("button", name="Maak de poster").click()
    expect(page.get_by_role("alert")).to_contain_text("Een posternaam mag alleen de letters a–z")
    expect(page.locator(".poster-link")).to_have_count(0)
