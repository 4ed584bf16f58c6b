"""The public directory pages: finding members by name, party, committee and role; member, committee, party pages."""

import html
import re

import pytest
from flask.testing import FlaskClient


def names_on(page: bytes) -> list[str]:
    """Member names listed on a page, in order."""
    return [html.unescape(n) for n in re.findall(r'class="member-name" href="/members/\d+">([^<]+)</a>', page.decode())]


def get(client: FlaskClient, url: str) -> str:
    """The page's HTML with entities decoded, after checking it answered 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def test_members_lists_every_current_member_by_surname(client: FlaskClient, directory: dict) -> None:
    page = client.get("/members").data
    assert names_on(page) == [
        "Pieter 't Hart",
        "Jan Jansen",
        "Tom van der Lee",
        "Eva Procent_100%",
        "Anna de Vries",
        "Dilan Yeşilgöz",
    ]
    assert "Oud Kamerlid" not in page.decode()
    assert "6 leden" in page.decode()


def test_filter_by_party(client: FlaskClient, directory: dict) -> None:
    assert names_on(client.get("/members?party=VVD").data) == ["Pieter 't Hart", "Dilan Yeşilgöz"]
    assert names_on(client.get("/members?party=vvd").data) == ["Pieter 't Hart", "Dilan Yeşilgöz"]
    assert "2 leden gevonden" in get(client, "/members?party=VVD")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("committee=BuZa", ["Pieter 't Hart", "Tom van der Lee", "Anna de Vries", "Dilan Yeşilgöz"]),
        ("committee=BuZa&role=chair", ["Dilan Yeşilgöz"]),
        ("committee=BuZa&role=vice-chair", ["Tom van der Lee"]),
        ("committee=BuZa&role=member", ["Tom van der Lee", "Anna de Vries", "Dilan Yeşilgöz"]),
        ("committee=BuZa&role=substitute", ["Pieter 't Hart"]),
        ("role=chair", ["Anna de Vries", "Dilan Yeşilgöz"]),
        ("committee=DEF", ["Anna de Vries", "Dilan Yeşilgöz"]),
        ("committee=def&role=substitute", ["Dilan Yeşilgöz"]),
        ("committee=BuZa&party=VVD&role=chair", ["Dilan Yeşilgöz"]),
        ("committee=DEF&party=D66", []),
    ],
)
def test_filter_by_committee_and_role(client: FlaskClient, directory: dict, query: str, expected: list) -> None:
    assert names_on(client.get(f"/members?{query}").data) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("yesilgoz", ["Dilan Yeşilgöz"]),
        ("YEŞILGÖZ", ["Dilan Yeşilgöz"]),
        ("dilan yes", ["Dilan Yeşilgöz"]),
        ("van der lee", ["Tom van der Lee"]),
        ("LEE", ["Tom van der Lee"]),
        ("’t hart", ["Pieter 't Hart"]),
        ("%", ["Eva Procent_100%"]),
        ("_", ["Eva Procent_100%"]),
        ("nobody", []),
    ],
)
def test_search_by_name_ignores_case_and_accents(client: FlaskClient, directory: dict, q: str, expected: list) -> None:
    assert names_on(client.get("/members", query_string={"q": q}).data) == expected


def test_members_without_address_or_who_opted_out_are_marked(client: FlaskClient, directory: dict) -> None:
    page = get(client, "/members")
    hart = page[page.index("Pieter 't Hart") :].split("</li>")[0]
    assert "nog geen e-mailadres" in hart
    jansen = page[page.index("Jan Jansen") :].split("</li>")[0]
    assert "wil geen brieven ontvangen" in jansen


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("party=XYZ", 'Er is geen partij "XYZ" in de Kamer.'),
        ("committee=Nope", 'Er is geen commissie "Nope".'),
        ("role=king", '"king" is geen rol in een commissie'),
    ],
)
def test_unknown_filter_values_give_a_friendly_empty_result(
    client: FlaskClient, directory: dict, query: str, message: str
) -> None:
    page = get(client, f"/members?{query}")
    assert message in page
    assert names_on(page.encode()) == []


def test_filter_values_are_shown_escaped(client: FlaskClient, directory: dict) -> None:
    page = client.get("/members?party=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "a" * 5000,
        "q=%00%01%02",
        "q=%ff%fe",
        "party=&committee=&role=",
        "party=VVD&party=D66",
        "q[]=1&party[$ne]=x",
        "q=%25%25%25_",
        "page=-1&sort=;DROP TABLE member",
    ],
)
def test_garbage_query_strings_never_break_the_page(client: FlaskClient, directory: dict, query: str) -> None:
    page = get(client, f"/members?{query}")
    assert "Leden van de Kamer" in page


def test_member_page_shows_party_committees_roles_and_address_state(client: FlaskClient, directory: dict) -> None:
    page = get(client, f"/members/{directory['yesilgoz']}")
    assert "<h1>Dilan Yeşilgöz</h1>" in page
    assert "Volkspartij voor Vrijheid en Democratie (VVD)" in page
    assert "Geachte mevrouw Yeşilgöz," in page
    assert "Er is een adres bekend" in page
    assert re.search(r"Buitenlandse Zaken</a></td>\s*<td>Voorzitter</td>", page)
    assert re.search(r"Defensie</a></td>\s*<td>Plaatsvervangend lid</td>", page)
    assert "d.yesilgoz@" not in page  # the address itself is not published


def test_member_without_address_cannot_be_written_to(client: FlaskClient, directory: dict) -> None:
    page = get(client, f"/members/{directory['hart']}")
    assert "Geachte heer 't Hart," in page
    assert "Er is nog geen e-mailadres bekend" in page


def test_former_member_page_says_so(client: FlaskClient, directory: dict) -> None:
    assert "is geen Kamerlid meer" in get(client, f"/members/{directory['former']}")


@pytest.mark.parametrize(
    "url",
    [
        "/members/999999",
        "/members/abc",
        "/members/-1",
        "/committees/999999",
        "/committees/BuZa",
        "/parties/XYZ",
        "/parties/",
        "/language/fr",
        "/nope",
    ],
)
def test_unknown_pages_are_a_friendly_404(client: FlaskClient, directory: dict, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_committee_page_groups_members_by_role_and_shows_the_address(client: FlaskClient, directory: dict) -> None:
    page = get(client, f"/committees/{directory['buza']}")
    assert "vaste commissie voor Buitenlandse Zaken" in page
    assert "cie.buza@tweedekamer.example" in page
    sections = {
        title: names_on(body.encode())
        for title, body in re.findall(r"<h2>([^<]+?) <span[^>]*>.*?</h2>(.*?)</ul>", page, re.S)
    }
    assert sections == {
        "Voorzitter": ["Dilan Yeşilgöz"],
        "Ondervoorzitter": ["Tom van der Lee"],
        "Leden": ["Anna de Vries"],
        "Plaatsvervangende leden": ["Pieter 't Hart"],
    }


def test_committee_without_address_says_it_is_unknown(client: FlaskClient, directory: dict) -> None:
    page = get(client, f"/committees/{directory['defence']}")
    assert "Niet bekend" in page
    assert "Oud Kamerlid" not in page  # a former member's seat is not listed


def test_committee_and_party_lists(client: FlaskClient, directory: dict) -> None:
    committees = get(client, "/committees")
    assert re.search(r"Buitenlandse Zaken</a></td>\s*<td>BuZa</td>\s*<td class=\"num\">3</td>", committees)
    parties = get(client, "/parties")
    assert re.findall(r'href="/parties/([^"]+)"', parties) == ["CDA", "D66", "VVD"]


def test_party_page_lists_its_current_members(client: FlaskClient, directory: dict) -> None:
    page = get(client, "/parties/vvd")
    assert names_on(page.encode()) == ["Pieter 't Hart", "Dilan Yeşilgöz"]


def test_language_switch_turns_pages_english_and_returns_to_the_page(client: FlaskClient, directory: dict) -> None:
    response = client.get("/language/en?next=/members?party=VVD")
    assert response.status_code == 302
    assert response.headers["Location"] == "/members?party=VVD"
    page = get(client, "/members?party=VVD")
    assert "Members of the House" in page and '<html lang="en">' in page
    assert "2 members found" in page
    member = get(client, f"/members/{directory['yesilgoz']}")
    assert "People's Party for Freedom and Democracy" in member
    assert "Geachte mevrouw Yeşilgöz," in member  # letters to MPs stay Dutch
    assert re.search(r"Standing Committee on Defence</a></td>\s*<td>Substitute member</td>", member)
    client.get("/language/nl")
    assert "Leden van de Kamer" in get(client, "/members")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_home_page_shows_the_directory_at_a_glance(client: FlaskClient, directory: dict) -> None:
    page = get(client, "/")
    assert re.search(r"<strong>6</strong> leden van de Kamer", page)
    assert re.search(r"<strong>3</strong> partijen", page)
    assert re.search(r"<strong>2</strong> commissies", page)
    assert "Nog geen campagne" in page or "Er is nog geen campagne" in page


def test_other_http_errors_get_a_friendly_page_too(client: FlaskClient, directory: dict) -> None:
    response = client.post("/members")
    assert response.status_code == 405
    assert "Dat kan hier niet" in response.get_data(as_text=True)
    client.get("/language/en")
    response = client.put("/")
    assert response.status_code == 405 and "Not possible here" in response.get_data(as_text=True)


def test_the_members_page_is_reused_until_the_directory_changes(app, client, directory) -> None:
    from datetime import timedelta

    from outreach.database import utcnow
    from outreach.directory.models import Member
    from outreach.extensions import db

    first = client.get("/members").get_data(as_text=True)
    with app.app_context():
        member = db.session.get(Member, directory["van_der_lee"])
        db.session.execute(  # changed behind the application's back: the page in the cache is still shown
            db.update(Member).where(Member.id == member.id).values(surname="Leeuw", updated_at=member.updated_at)
        )
        db.session.commit()
    assert client.get("/members").get_data(as_text=True) == first
    with app.app_context():
        member = db.session.get(Member, directory["van_der_lee"])
        member.surname, member.updated_at = "Leeuwen", utcnow() + timedelta(minutes=1)  # as every change does
        db.session.commit()
    assert "Tom van der Leeuwen" in client.get("/members").get_data(as_text=True)
