"""Embeds: the organiser lists partners' origins (checked, with clear errors), the embed route may be framed only by
them (Content-Security-Policy: frame-ancestors), sets no cookies, and attributes its link as ref=embed:<host>."""

from flask import Flask
from flask.testing import FlaskClient

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.builders import campaign
from tests.test_campaigns_admin import form


def embedded(app: Flask, origins: str | None = None, **fields: object) -> Campaign:
    with app.app_context():
        return campaign(embed_origins=origins, **fields)


def test_only_the_embed_route_names_the_listed_origins_and_none_listed_means_none(
    app: Flask, client: FlaskClient
) -> None:
    embedded(app, "https://partner.example\nhttp://localhost:8123")
    page = client.get("/campaigns/khojaly/embed?host=partner.example")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors https://partner.example http://localhost:8123;" in policy
    assert "X-Frame-Options" not in page.headers
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    assert 'target="_blank" rel="noopener"' in html
    assert "/campaigns/khojaly?ref=embed:partner.example" in html
    # Every other page stays unframeable.
    show = client.get("/campaigns/khojaly")
    assert "frame-ancestors 'none'" in show.headers["Content-Security-Policy"]
    assert show.headers["X-Frame-Options"] == "DENY"


def test_an_embed_without_listed_origins_may_be_framed_nowhere(app: Flask, client: FlaskClient) -> None:
    embedded(app)
    page = client.get("/campaigns/khojaly/embed")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_an_unknown_host_gets_no_attribution(app: Flask, client: FlaskClient) -> None:
    embedded(app, "https://partner.example")
    html = client.get("/campaigns/khojaly/embed?host=elsewhere.example").get_data(as_text=True)
    assert "?ref=" not in html and "data-parent-origin" not in html
    assert "/campaigns/khojaly" in html


def test_a_draft_is_never_embedded(app: Flask, client: FlaskClient) -> None:
    embedded(app, "https://partner.example", status="draft")
    assert client.get("/campaigns/khojaly/embed?host=partner.example").status_code == 404


def test_the_organiser_lists_origins_and_gets_a_snippet_per_origin(app: Flask, organiser: FlaskClient) -> None:
    saved = organiser.post(
        "/admin/campaigns/new",
        data=form(embed_origins=" HTTPS://Partner.example/ \r\n\r\nhttps://partner.example\r\nhttp://localhost:5000"),
    )
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.scalars(db.select(Campaign)).one()
        assert row.embed_origins == "https://partner.example\nhttp://localhost:5000"
        campaign_id = row.id
    html = organiser.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert html.count("&lt;iframe") == 2
    assert "/campaigns/nieuwe-campagne/embed?host=partner.example" in html
    assert "loading=&#34;lazy&#34;" in html or "loading=&quot;lazy&quot;" in html
    assert "/static/embed.js" in html


def test_bad_origins_get_clear_errors_in_dutch_and_english(app: Flask, organiser: FlaskClient) -> None:
    cases = {
        "partner.example": ("write an origin like", "schrijf een adres zoals"),
        "http://partner.example": ("must use https://", "https://"),
        "https://partner.example/petitie": ("without a page path", "zonder pad"),
        "https://partner.example:abc": ("port must be a number", "poort"),
        "https://" + "a" * 40 + ".nl": ("at most 34 characters", "34 tekens"),
    }
    for origin, (english, dutch) in cases.items():
        organiser.get("/language/en")
        page = organiser.post("/admin/campaigns/new", data=form(embed_origins=origin))
        assert page.status_code == 400 and english in page.get_data(as_text=True), origin
        organiser.get("/language/nl")
        page = organiser.post("/admin/campaigns/new", data=form(embed_origins=origin))
        assert page.status_code == 400 and dutch in page.get_data(as_text=True).lower(), origin
