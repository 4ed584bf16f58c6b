"""Posters and QR codes: the code decodes to the campaign's page with the poster's source, supporters who scan it
are counted under that poster, and a bad poster name or language gets a clear error, never a 500."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from outreach.campaigns.models import Submission
from outreach.extensions import db
from tests.builders import campaign
from tests.campaign_helpers import send_letter

PUBLIC_URL = "https://schrijf.example.org"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0, "PUBLIC_URL": PUBLIC_URL}


@pytest.fixture
def campaign_id(app: Flask) -> int:
    with app.app_context():
        turkish = {"title": "Hocalı'nın tanınması", "intro": "Meclis'e yazın.", "body": "Sayın {aanhef},"}
        return campaign(reading={"tr": turkish}).id


def decoded(image: Image.Image) -> str:
    found = zxingcpp.read_barcodes(image)
    assert [code.format for code in found] == [zxingcpp.BarcodeFormat.QRCode]
    return found[0].text


def test_the_png_decodes_to_the_campaign_page_with_the_posters_source(organiser: FlaskClient, campaign_id: int):
    response = organiser.get(f"/admin/campaigns/{campaign_id}/poster/qr.png?ref=Library")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert 'filename="khojaly-library.png"' in response.headers["Content-Disposition"]
    assert decoded(Image.open(io.BytesIO(response.data))) == f"{PUBLIC_URL}/campaigns/khojaly?ref=poster:library"


def test_the_svg_downloads_as_svg(organiser: FlaskClient, campaign_id: int):
    svg = organiser.get(f"/admin/campaigns/{campaign_id}/poster/qr.svg?ref=station-3")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert 'filename="khojaly-station-3.svg"' in svg.headers["Content-Disposition"]
    # Chromium draws and decodes this SVG in tests/e2e/test_posters_browser.py.


def test_the_default_poster_name_is_poster(organiser: FlaskClient, campaign_id: int):
    page = organiser.get(f"/admin/campaigns/{campaign_id}/poster").get_data(as_text=True)
    assert f"{PUBLIC_URL}/campaigns/khojaly?ref=poster:poster" in page
    assert f"/admin/campaigns/{campaign_id}/poster/print?ref=poster&amp;lang=nl" in page


def test_the_campaign_page_links_to_the_poster(organiser: FlaskClient, campaign_id: int):
    page = organiser.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert f'href="/admin/campaigns/{campaign_id}/poster"' in page


def test_supporters_who_scan_the_poster_are_counted_under_it(
    app: Flask, organiser: FlaskClient, campaign_id: int, directory: dict[str, int]
):
    png = organiser.get(f"/admin/campaigns/{campaign_id}/poster/qr.png?ref=library").data
    link = urlsplit(decoded(Image.open(io.BytesIO(png))))
    ref = parse_qs(link.query)["ref"][0]
    assert "ref=poster:library" in organiser.get(f"{link.path}?{link.query}").get_data(as_text=True)
    send_letter(organiser, [f"member:{directory['yesilgoz']}"], ref=ref, email="scan@example.org")
    with app.app_context():
        assert db.session.scalars(select(Submission.ref)).one() == "poster:library"
    report = organiser.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert '<td>poster:library</td><td class="num">1</td>' in report


def test_the_poster_is_in_the_chosen_language_of_the_campaign(organiser: FlaskClient, campaign_id: int):
    dutch = organiser.get(f"/admin/campaigns/{campaign_id}/poster/print?ref=library").get_data(as_text=True)
    assert "Erkenning van Khojaly" in dutch and "Schrijf de Kamer." in dutch
    assert "Scan de code, of ga naar:" in dutch and "schrijf.example.org/campaigns/khojaly" in dutch
    assert '<html lang="nl">' in dutch and "<svg" in dutch
    turkish = organiser.get(f"/admin/campaigns/{campaign_id}/poster/print?ref=library&lang=tr").get_data(as_text=True)
    assert "Hocalı&#39;nın tanınması" in turkish and "Meclis&#39;e yazın." in turkish
    assert '<html lang="tr">' in turkish
    own = organiser.get(
        f"/admin/campaigns/{campaign_id}/poster/print",
        query_string={"ref": "library", "call": "Doe mee!", "lang": "en"},
    ).get_data(as_text=True)
    assert "Doe mee!" in own and "Write to the House." not in own and "Recognition of Khojaly" in own


@pytest.mark.parametrize("ref", ["a b", "share/whatsapp", "<b>", "poster:x", "x" * 34, "ünï"])
@pytest.mark.parametrize("path", ["poster", "poster/print", "poster/qr.png", "poster/qr.svg"])
def test_a_bad_poster_name_gets_a_clear_error(organiser: FlaskClient, campaign_id: int, ref: str, path: str):
    organiser.set_cookie("lang", "en")
    response = organiser.get(f"/admin/campaigns/{campaign_id}/{path}", query_string={"ref": ref})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "A poster name may use only the letters a–z, digits, dots, dashes and underscores, at most 33" in (
        response.get_data(as_text=True)
    )


def test_errors_are_in_dutch_too(organiser: FlaskClient, campaign_id: int):
    organiser.set_cookie("lang", "nl")
    bad = organiser.get(f"/admin/campaigns/{campaign_id}/poster?ref=a+b&lang=xx").get_data(as_text=True)
    assert "Een posternaam mag alleen de letters a–z" in bad
    assert "Deze campagne heeft geen tekst in die taal." in bad


def test_a_language_the_campaign_lacks_or_a_long_call_is_refused(organiser: FlaskClient, campaign_id: int):
    organiser.set_cookie("lang", "en")
    az = organiser.get(f"/admin/campaigns/{campaign_id}/poster/print?lang=az")
    assert az.status_code == 400 and "This campaign has no text in that language." in az.get_data(as_text=True)
    long = organiser.get(f"/admin/campaigns/{campaign_id}/poster/print", query_string={"call": "x" * 301})
    assert long.status_code == 400 and "at most 300 characters" in long.get_data(as_text=True)


@pytest.mark.parametrize("path", ["0/poster", "99/poster", "abc/poster", "١/poster", "1/poster/qr.gif"])
def test_unknown_campaigns_and_kinds_are_not_found(organiser: FlaskClient, campaign_id: int, path: str):
    assert organiser.get(f"/admin/campaigns/{path}").status_code == 404


def test_posters_are_for_organisers_only(client: FlaskClient, campaign_id: int):
    for path in ("poster", "poster/print", "poster/qr.png"):
        response = client.get(f"/admin/campaigns/{campaign_id}/{path}")
        assert response.status_code == 302 and "/admin/login" in response.location
