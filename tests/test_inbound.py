"""Whatever a visitor's browser (or a script) sends: recipient keys are read strictly, a file where a form expects
text is refused in the visitor's language, and a return address never leads to another site."""

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.builders import PASSWORD, account, campaign
from tests.campaign_helpers import DETAILS, letter_form, letter_page

# Digits to Python (`str.isdigit()`), but not numbers `int()` reads, or not in the digits a key is written in.
UNICODE_DIGITS = ["²", "①", "³", "١٢", "１", "𝟙"]


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0}


@pytest.fixture
def member_key(app: Flask, directory: dict[str, int]) -> str:
    """A live campaign and the key of one member a supporter can write to."""
    with app.app_context():
        campaign()
    return f"member:{directory['yesilgoz']}"


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
@pytest.mark.parametrize("kind", ["member", "extra"])
def test_recipient_keys_with_other_digits_are_left_out_on_every_step(
    client: FlaskClient, member_key: str, kind: str, digits: str
) -> None:
    odd = f"{kind}:{digits}"
    chooser = client.get("/campaigns/khojaly/choose", query_string={"to": [member_key, odd]})
    assert chooser.status_code == 200
    assert "1 gekozen ontvanger kan niet meer worden aangeschreven" in chooser.get_data(as_text=True)
    assert "Yeşilgöz" in chooser.get_data(as_text=True)

    alone = client.get("/campaigns/khojaly/letter", query_string={"to": odd})
    assert alone.status_code == 302 and alone.location.endswith("/campaigns/khojaly/choose")
    html = letter_page(client, [member_key, odd]).get_data(as_text=True)
    assert "Geachte mevrouw Yeşilgöz," in html

    sent = client.post("/campaigns/khojaly/letter", data=letter_form(html, [member_key, odd]))
    assert sent.status_code == 400
    assert "Sommige ontvangers kunnen niet meer worden gekozen" in sent.get_data(as_text=True)
    posted_alone = client.post("/campaigns/khojaly/letter", data={"to": odd, "action": "send"})
    assert posted_alone.status_code == 302 and posted_alone.location.endswith("/campaigns/khojaly/choose")


@pytest.mark.parametrize(
    "key",
    [
        "member:",
        "member:0",
        "member:-1",
        "member:+1",
        "member: 1",
        "member:1\n",
        "member:99999999999",
        "member:2147483648",
        "Member:1",
        "member:1:2",
    ],
)
def test_malformed_recipient_keys_are_left_out(client: FlaskClient, member_key: str, key: str) -> None:
    chooser = client.get("/campaigns/khojaly/choose", query_string={"to": [member_key, key]})
    assert chooser.status_code == 200
    assert "1 gekozen ontvanger kan niet meer worden aangeschreven" in chooser.get_data(as_text=True)


def test_organisers_pages_take_only_ascii_numbers_too(app: Flask, organiser: FlaskClient, directory: dict) -> None:
    assert organiser.get(f"/admin/directory/members/{directory['yesilgoz']}").status_code == 200
    # "١" is the Arabic-Indic one: werkzeug's `\d+` would open member 1's page for it.
    assert organiser.get("/admin/directory/members/\u0661").status_code == 404
    assert organiser.get("/admin/replies/", query_string={"page": "²", "campaign": "①"}).status_code == 200


def file_part(content: bytes = b"Geachte Kamer,\n") -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), "brief.txt"


@pytest.mark.parametrize("field", ["body", "name", "subject", "email", "to", "form_token"])
def test_a_file_in_a_text_field_of_the_letter_is_refused_in_dutch(
    client: FlaskClient, member_key: str, field: str
) -> None:
    html = letter_page(client, [member_key]).get_data(as_text=True)
    for action in ("send", "preview"):
        data = {**letter_form(html, [member_key], action), field: file_part()}
        response = client.post("/campaigns/khojaly/letter", data=data, content_type="multipart/form-data")
        assert response.status_code == 400, action
        assert "Dit formulier neemt getypte tekst aan, geen bestanden." in response.get_data(as_text=True)


def test_the_refusal_of_a_file_speaks_the_visitors_language(client: FlaskClient, member_key: str) -> None:
    client.get("/language/en")
    response = client.post(
        "/campaigns/khojaly/letter",
        data={"to": member_key, **DETAILS, "body": file_part()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This form takes typed text, not files." in response.get_data(as_text=True)
    assert 'lang="en"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/privacy/my-data", "/admin/login", "/campaigns/khojaly/meter", "/campaigns/khojaly/letter"]
)
def test_forms_without_uploads_refuse_files(client: FlaskClient, member_key: str, path: str) -> None:
    response = client.post(path, data={"email": file_part(b"a@b.c"), "body": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "geen bestanden" in response.get_data(as_text=True)


def test_the_directory_import_still_takes_its_file_and_only_there(organiser: FlaskClient, directory: dict) -> None:
    csv = organiser.get("/admin/directory/export.csv").get_data()  # the export, uploaded again: changes nothing
    upload = organiser.post(
        "/admin/directory/import", data={"file": (io.BytesIO(csv), "x.csv")}, content_type="multipart/form-data"
    )
    assert upload.status_code == 200 and "Dit bestand verandert niets." in upload.get_data(as_text=True)
    extra = organiser.post(
        "/admin/directory/import",
        data={"file": (io.BytesIO(csv), "x.csv"), "csrf_token": file_part()},
        content_type="multipart/form-data",
    )
    assert extra.status_code == 400 and "geen bestanden" in extra.get_data(as_text=True)


# Each of these would take a visitor to another site, or break the answer, if followed as given.
ELSEWHERE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/a\nb",
    "/a\r\nSet-Cookie: x=1",
    "/%0d%0aSet-Cookie:%20x=1",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%2F/evil.example",
    "/%252F/evil.example",
    "/%25252F%25252Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /\t/evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "/\u202e/evil.example",
    "/\u200b/evil.example",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_language_switch_never_sends_a_visitor_elsewhere(client: FlaskClient, target: str) -> None:
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "lang=en" in response.headers["Set-Cookie"]


def test_the_raw_query_of_the_reported_open_redirect_goes_home(client: FlaskClient) -> None:
    response = client.get("/language/nl?next=/%09/evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/members?q=van+der", "/members?q=van+der"),
        ("/members?q=a%09b", "/members?q=a%09b"),  # a tab the visitor searched for stays in the query
        ("/campaigns/khojaly/choose?to=member:1&to=member:2", "/campaigns/khojaly/choose?to=member:1&to=member:2"),
        ("/parties/D66?", "/parties/D66"),
        ("/members/Yeşilgöz", "/members/Ye%C5%9Filg%C3%B6z"),
        ("/members/50%25", "/members/50%25"),
    ],
)
def test_the_language_switch_returns_to_the_page_the_visitor_was_on(
    client: FlaskClient, target: str, location: str
) -> None:
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == location


def test_switching_language_on_a_search_comes_back_to_the_search(client: FlaskClient, directory: dict) -> None:
    page = client.get("/members", query_string={"q": "Vries"}).get_data(as_text=True)
    link = re.search(r'href="(/language/en\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.headers["Location"] == "/members?q=Vries"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%2F/evil.example", "/a\nb", "https://evil.example/"])
def test_a_login_never_sends_the_organiser_elsewhere(app: Flask, client: FlaskClient, target: str) -> None:
    with app.app_context():
        account("org@example.org")
    response = client.post(
        "/admin/login", query_string={"next": target}, data={"email": "org@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_a_login_returns_to_the_page_the_organiser_asked_for(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("org@example.org")
    asked = client.get("/admin/outbox/?status=failed")
    assert asked.status_code == 302
    response = client.post(asked.headers["Location"], data={"email": "org@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox/?status=failed"


def test_a_campaigns_extra_addresses_take_only_ascii_numbers(app: Flask, organiser: FlaskClient) -> None:
    from sqlalchemy import select

    from outreach.campaigns.models import Campaign
    from outreach.extensions import db
    from tests.test_campaigns_admin import form

    saved = organiser.post("/admin/campaigns/new", data={**form(), "extra_targets": ["²", "①", "3", "١", "x"]})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Campaign.extra_targets)).one() == [3]


@pytest.mark.parametrize("field", ["name", "subject", "place"])
@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2067"])
def test_a_name_or_subject_that_turns_text_around_is_refused_and_the_letter_kept(
    client: FlaskClient, member_key: str, field: str, control: str
) -> None:
    html = letter_page(client, [member_key]).get_data(as_text=True)
    typed = {"body": "Geachte Kamer,\n\nMijn eigen woorden over Khojaly.", field: f"Aysel{control} Utrecht"}
    response = client.post("/campaigns/khojaly/letter", data=letter_form(html, [member_key], **typed))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Hierin staat een onzichtbaar teken dat de tekst omdraait." in page
    assert "Mijn eigen woorden over Khojaly." in page


def test_a_right_to_left_name_with_its_marks_is_accepted(client: FlaskClient, member_key: str) -> None:
    html = letter_page(client, [member_key]).get_data(as_text=True)
    response = client.post(
        "/campaigns/khojaly/letter", data=letter_form(html, [member_key], name="\u0622\u06cc\u0633\u0644\u200f Aysel")
    )
    assert response.status_code == 302 and response.location.endswith("/campaigns/khojaly/check-your-mail")
