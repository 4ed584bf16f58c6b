"""The organisation behind the site: its details edited by admins (the environment as defaults) and used by the
about page, the privacy statement, the opt-out page and e-mails; pictures; link previews; the organiser home."""

import io
import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from outreach.accounts.models import AuditEntry
from outreach.directory.delivery import opt_out_token
from outreach.extensions import db
from outreach.outbox.models import CONFIRMATION, OutboxMessage
from outreach.reports.pulse import campaign_pulse
from tests.builders import campaign, sent_letters
from tests.campaign_helpers import confirmation_path, send_letter

DETAILS = {
    "name": "Stichting Khojaly Herdenking",
    "description_nl": "Wij houden de herinnering aan Khojaly levend.",
    "description_en": "We keep the memory of Khojaly alive.",
    "website": "https://khojaly.example",
    "email": "info@khojaly.example",
    "postal_address": "Postbus 123\n2500 AA Den Haag",
    "privacy_controller": "Stichting Khojaly Herdenking, Den Haag",
    "privacy_contact": "privacy@khojaly.example",
    "privacy_processors": "Hoster B.V. (hosting)\nMailer B.V. (e-mail)",
}
PLACEHOLDER = "the foundation running this campaign"


@pytest.fixture
def app_config() -> dict[str, object]:
    # A small upload limit: the test client writes larger uploads to a temporary file it never closes.
    return {"FORM_MIN_SECONDS": 0, "IMAGE_MAX_BYTES": 200 * 1024}


def picture(kind: str = "PNG", size: tuple[int, int] = (1200, 630)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#154273").save(buffer, kind)
    return buffer.getvalue()


def fill_in(admin: FlaskClient, **changes: object):
    return admin.post(
        "/admin/organisation", data={**DETAILS, **changes}, content_type="multipart/form-data", follow_redirects=True
    )


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def test_no_page_prints_a_placeholder_until_the_organisation_is_filled_in(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    statement = client.get("/privacy").get_data(as_text=True)
    assert PLACEHOLDER not in statement and "None" not in statement
    assert "Deze site wordt beheerd door" not in statement  # no sentence with a gap in it
    about = client.get("/about")
    assert about.status_code == 200
    html = about.get_data(as_text=True)
    assert "<h1>Over deze site</h1>" in html and 'id="contact"' not in html and "None" not in html
    with app.app_context():
        token = opt_out_token(directory["yesilgoz"])
    opt_out = client.get(f"/opt-out/{token}").get_data(as_text=True)
    assert "None" not in opt_out and "Deze site wordt beheerd door" not in opt_out


def test_an_admin_fills_in_the_organisation_and_every_page_names_it(
    app: Flask, admin: FlaskClient, directory: dict[str, int]
) -> None:
    assert fill_in(admin, website="khojaly.example").status_code == 400  # not a full web address
    saved = fill_in(admin)
    assert saved.status_code == 200 and "opgeslagen" in saved.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "organisation edited")).one()
        assert entry.account_email == "admin@example.org"

    statement = admin.get("/privacy").get_data(as_text=True)
    assert "Deze site wordt beheerd door Stichting Khojaly Herdenking, Den Haag" in statement
    assert "privacy@khojaly.example" in statement
    processors = statement.split('id="processors">')[1].split("</ul>")[0]
    assert "<li>Hoster B.V. (hosting)</li>" in processors and "<li>Mailer B.V. (e-mail)</li>" in processors

    home = admin.get("/").get_data(as_text=True)
    header = home.split('<header class="site-header">')[1].split("</header>")[0]
    assert "<span>Stichting Khojaly Herdenking</span>" in header and "Outreach" not in header
    assert 'href="/about"' in home.split('<footer class="site-footer">')[1]
    about = admin.get("/about").get_data(as_text=True)
    assert "Over Stichting Khojaly Herdenking" in about and "Wij houden de herinnering" in about
    assert 'href="mailto:info@khojaly.example"' in about and "Postbus 123\n2500 AA Den Haag" in about
    admin.set_cookie("lang", "en")
    assert "We keep the memory of Khojaly alive." in admin.get("/about").get_data(as_text=True)

    with app.app_context():
        token = opt_out_token(directory["yesilgoz"])
    opt_out = admin.get(f"/opt-out/{token}").get_data(as_text=True)
    assert "This site is run by Stichting Khojaly Herdenking." in opt_out and "info@khojaly.example" in opt_out


def test_organisers_may_not_change_the_organisation(organiser: FlaskClient) -> None:
    assert organiser.get("/admin/organisation").status_code == 403
    assert organiser.post("/admin/organisation", data=DETAILS).status_code == 403


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "ORGANISATION_NAME": "Stichting uit de omgeving",
            "ORGANISATION_EMAIL": "env@khojaly.example",
            "IMAGE_MAX_BYTES": 1,
        }
    ],
)
def test_the_environment_fills_what_the_admin_left_empty(app: Flask, admin: FlaskClient) -> None:
    about = admin.get("/about").get_data(as_text=True)
    assert "Over Stichting uit de omgeving" in about and "env@khojaly.example" in about
    statement = admin.get("/privacy").get_data(as_text=True)
    assert "Deze site wordt beheerd door Stichting uit de omgeving" in statement  # the controller: the organisation
    form = admin.get("/admin/organisation").get_data(as_text=True)
    assert "Instelling op de server: Stichting uit de omgeving" in form
    fill_in(admin, name="Stichting uit de database", email="")
    about = admin.get("/about").get_data(as_text=True)
    assert "Over Stichting uit de database" in about and "env@khojaly.example" in about


def test_the_organiser_home_says_what_is_missing_until_it_is_filled_in(admin: FlaskClient) -> None:
    home = admin.get("/admin/").get_data(as_text=True)
    missing = home.split('id="missing"')[1].split("</section>")[0]
    for label in ("Naam van de organisatie", "E-mailadres voor contact", "Postadres", "Logo"):
        assert label in missing
    assert 'href="/admin/organisation"' in missing
    fill_in(admin, logo=(io.BytesIO(picture(size=(200, 200))), "logo.png"), logo_alt="Het logo van de stichting")
    assert 'id="missing"' not in admin.get("/admin/").get_data(as_text=True)


def test_a_logo_must_really_be_a_picture_and_is_served_with_cache_headers(app: Flask, admin: FlaskClient) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = fill_in(admin, logo=(io.BytesIO(svg), "logo.svg"), logo_alt="Logo")
    assert refused.status_code == 400 and "geen PNG-, JPEG- of WebP-afbeelding" in refused.get_data(as_text=True)
    fake = fill_in(admin, logo=(io.BytesIO(b"\x89PNG\r\n\x1a\nnot really"), "logo.png"), logo_alt="Logo")
    assert fake.status_code == 400
    large = fill_in(admin, logo=(io.BytesIO(b"\x89PNG" + b"0" * (200 * 1024 + 1)), "big.png"), logo_alt="Logo")
    assert large.status_code == 400 and "groter dan 200 KB" in large.get_data(as_text=True)
    no_alt = fill_in(admin, logo=(io.BytesIO(picture("WEBP", (64, 64))), "logo.webp"), logo_alt="")
    assert no_alt.status_code == 400 and "Beschrijf het logo" in no_alt.get_data(as_text=True)
    assert admin.get("/media/logo").status_code == 404

    fill_in(admin, logo=(io.BytesIO(picture("WEBP", (64, 64))), "logo.webp"), logo_alt="Het logo")
    served = admin.get("/media/logo")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["Cache-Control"] == "public, max-age=86400" and served.headers["ETag"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    again = admin.get("/media/logo", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    about = admin.get("/about").get_data(as_text=True)
    assert re.search(r'<img src="/media/logo\?v=\d+" alt="Het logo">', about)
    header = about.split('<header class="site-header">')[1].split("</header>")[0]
    assert re.search(r'<img src="/media/logo\?v=\d+" alt="" height="32"><span>Stichting', header)  # named beside it
    fill_in(admin, name="")  # a logo alone names the link to the home page itself
    header = admin.get("/about").get_data(as_text=True).split('<header class="site-header">')[1].split("</header>")[0]
    assert re.search(r'<a class="brand" href="/"><img src="/media/logo\?v=\d+" alt="Het logo" height="32"></a>', header)
    fill_in(admin, remove_logo="y")
    assert admin.get("/media/logo").status_code == 404


def test_a_shared_link_shows_a_preview_with_the_campaigns_picture(
    app: Flask, client: FlaskClient, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        campaign_id = campaign(intro_nl="Schrijf de Kamer over Khojaly.\n\nMeer uitleg.").id
    home = client.get("/").get_data(as_text=True)
    assert meta(home, "og:image") == "http://127.0.0.1:5000/static/share.png"
    assert meta(home, "og:url") == "http://127.0.0.1:5000/" and meta(home, "twitter:card") == "summary_large_image"
    assert meta(home, "og:title") and meta(home, "og:description")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home
    for icon in ("/static/favicon.svg", "/static/favicon.png", "/static/share.png"):
        with client.get(icon) as response:
            assert response.status_code == 200, icon
    assert client.get("/favicon.ico").location.endswith("/static/favicon.png")

    path = f"/admin/campaigns/{campaign_id}/image"
    upload = {"image": (io.BytesIO(picture("JPEG")), "khojaly.jpg"), "action": "save"}
    no_alt = organiser.post(path, data={**upload, "alt_nl": ""}, content_type="multipart/form-data")
    assert no_alt.status_code == 400 and "Beschrijf de afbeelding" in no_alt.get_data(as_text=True)
    upload = {"image": (io.BytesIO(picture("JPEG")), "khojaly.jpg"), "action": "save"}
    alt = "Kaarsen bij het monument voor de slachtoffers van Khojaly"
    saved = organiser.post(
        path, data={**upload, "alt_nl": alt, "alt_en": "Candles"}, content_type="multipart/form-data"
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "campaign image"

    page = client.get("/campaigns/khojaly?ref=whatsapp-groep").get_data(as_text=True)
    image = meta(page, "og:image")
    assert image and re.fullmatch(rf"http://127\.0\.0\.1:5000/media/campaigns/{campaign_id}/image\?v=\d+", image)
    assert meta(page, "og:image:alt") == alt and meta(page, "twitter:image") == image
    assert meta(page, "og:url") == "http://127.0.0.1:5000/campaigns/khojaly"  # one address, without ?ref=
    assert meta(page, "og:title") == "Erkenning van Khojaly"
    assert meta(page, "og:description") == "Schrijf de Kamer over Khojaly."
    assert f'alt="{alt}" width="1200" height="630"' in page
    served = client.get(image.removeprefix("http://127.0.0.1:5000"))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert organiser.post(path, data={"action": "remove"}).status_code == 302
    assert client.get(image.removeprefix("http://127.0.0.1:5000")).status_code == 404


def test_e_mails_and_letters_name_the_organisation(
    app: Flask, client: FlaskClient, admin: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        campaign(contact=None)
    fill_in(admin)
    send_letter(client, [f"member:{directory['yesilgoz']}"])
    with app.app_context():
        [confirmation] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == CONFIRMATION)).all()
        assert confirmation.body.endswith(
            "-- \nStichting Khojaly Herdenking\nhttps://khojaly.example\ninfo@khojaly.example"
        )
    client.post(confirmation_path(confirmation))
    with app.app_context():
        [letter] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "letter")).all()
        assert "Deze campagne wordt gevoerd door Stichting Khojaly Herdenking." in letter.body
        assert "info@khojaly.example" in letter.body  # the campaign names no contact of its own


def test_the_pulse_counts_letters_today_and_this_week_in_amsterdam_time(app: Flask, directory: dict[str, int]) -> None:
    now = datetime(2026, 12, 2, 10, 0)  # a Wednesday, 11:00 in Amsterdam
    with app.app_context():
        row = campaign()
        for number, sent_at in enumerate(
            (
                datetime(2026, 12, 2, 8, 0),  # today
                datetime(2026, 12, 1, 23, 30),  # 00:30 on Wednesday in Amsterdam: today
                datetime(2026, 11, 30, 9, 0),  # Monday: this week
                datetime(2026, 11, 29, 22, 30),  # 23:30 on Sunday in Amsterdam: last week
            )
        ):
            sent_letters(row, [directory["yesilgoz"]], supporter_no=number, sent_at=sent_at)
        pulse = campaign_pulse(row, now)
        assert (pulse.sent_today, pulse.sent_week) == (2, 3)
        assert campaign_pulse(row, now + timedelta(days=5)).sent_week == 0  # the next Monday


def test_the_organiser_home_shows_each_live_campaigns_pulse_with_links_to_act(
    app: Flask, client: FlaskClient, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        row = campaign()
        sent_letters(row, [directory["yesilgoz"], directory["de_vries"]], supporter_no=1)
        campaign_id = row.id
    send_letter(client, [f"member:{directory['van_der_lee']}"], email="wacht@example.org")  # not confirmed
    send_letter(client, [f"member:{directory['de_vries']}"], email="iemand@tweedekamer.nl")  # held for review
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "iemand@tweedekamer.nl"))
        client.post(confirmation_path(message.one()))
    home = organiser.get("/admin/").get_data(as_text=True)
    pulse = home.split(f'data-campaign="{campaign_id}"')[1].split("</section>")[0]

    def item(name: str) -> tuple[str, str]:
        found = re.search(rf'<li data-pulse="{name}"><a href="([^"]+)"><strong>(\d+)</strong>', pulse)
        assert found, name
        return found.group(1), found.group(2)

    assert item("today") == (f"/admin/reports/{campaign_id}", "2")
    assert item("week") == (f"/admin/reports/{campaign_id}", "2")
    assert item("awaiting") == (f"/admin/campaigns/{campaign_id}", "1")
    assert item("held") == ("/admin/campaigns/review", "1")
    assert item("outbox")[0] == "/admin/outbox/"
    assert item("replies") == (f"/admin/replies/?show=untagged&amp;campaign={campaign_id}", "0")
    assert item("survey") == (f"/admin/reports/{campaign_id}", "0")
    assert 'data-pulse="sync"' in home
