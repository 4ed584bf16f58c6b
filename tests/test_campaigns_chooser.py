"""The recipient chooser: finding members, the chosen ones as removable chips, whole committees within the cap,
roles, name search across alphabets, extra addresses and committee addresses as recipients."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.directory.models import ExtraTarget, Party
from outreach.extensions import db
from tests.builders import build_directory, campaign, committee, member, seat
from tests.campaign_helpers import unescape


@pytest.fixture
def live(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    """A live campaign writing to every member, over the small known directory."""
    with app.app_context():
        campaign()
    return directory


def test_the_chooser_shows_four_steps_with_choosing_as_the_current_one(client: FlaskClient, live: dict) -> None:
    html = client.get("/campaigns/khojaly/choose").get_data(as_text=True)
    steps = re.search(r'<ol class="steps".*?</ol>', html, re.S).group(0)
    assert re.findall(r"<li[^>]*>([^<]+)", steps) == [
        "Ontvangers kiezen",
        "Uw brief",
        "Bevestigen per e-mail",
        "Klaar",
    ]
    assert re.search(r'<li[^>]*aria-current="step"[^>]*>Ontvangers kiezen', steps)
    assert steps.count("aria-current") == 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mammadova", "Aysel Məmmədova"),
        ("memmedova", "Aysel Məmmədova"),
        ("Məmmədova", "Aysel Məmmədova"),
        ("aysel mammadova", "Aysel Məmmədova"),
        ("agaoglu", "Leyla Ağaoğlu"),
        ("CELIK", "Murat Çelik"),
        ("sahin", "Elif Şahin"),
        ("aydin", "Kerem Aydın"),
        ("ozturk", "Zeynep Öztürk"),
        ("guler", "Hüseyin Güler"),
        ("helene", "Hélène d'Ancona"),
        ("dancona", "Hélène d'Ancona"),
        ("d’ancona", "Hélène d'Ancona"),
        ("t hart", "Pieter 't Hart"),
        ("’t Hart", "Pieter 't Hart"),
    ],
)
def test_a_name_is_found_however_its_letters_are_typed(
    app: Flask, client: FlaskClient, live: dict, q: str, expected: str
) -> None:
    with app.app_context():
        party = db.session.scalar(db.select(Party).where(Party.abbreviation == "D66"))
        for first, prefix, surname in [
            ("Aysel", None, "Məmmədova"),
            ("Leyla", None, "Ağaoğlu"),
            ("Murat", None, "Çelik"),
            ("Elif", None, "Şahin"),
            ("Kerem", None, "Aydın"),
            ("Zeynep", None, "Öztürk"),
            ("Hüseyin", None, "Güler"),
            ("Hélène", "d'", "Ancona"),
        ]:
            member(first, surname, party, prefix=prefix)
        db.session.commit()
    for path in ("/members", "/campaigns/khojaly/choose"):
        html = client.get(path, query_string={"q": q, "action": "filter"}).get_data(as_text=True)
        html = html.split('id="found-heading"')[-1]  # the members found, not the committees above them
        found = [unescape(name) for name in re.findall(r'class="(?:member|target)-name"[^>]*>([^<]+)<', html)]
        assert found == [expected.replace("’", "'")], (path, found)


def chooser(client: FlaskClient, **args: object) -> str:
    response = client.get("/campaigns/khojaly/choose", query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def chips(html: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'<span class="chip-name">([^<]+)</span>', html)]


def item(html: str, name: str) -> str:
    """The list item of one recipient in the chooser's lists."""
    return next(li for li in re.findall(r'<li class="target.*?</li>', html, re.S) if name in unescape(li))


def test_adding_a_committee_stops_at_the_cap_leaders_first_and_says_who_was_left_out(
    app: Flask, client: FlaskClient, live: dict
) -> None:
    with app.app_context():
        party = db.session.scalar(db.select(Party).where(Party.abbreviation == "VVD"))
        justice = committee("JenV", "vaste commissie voor Justitie en Veiligheid")
        people = [member(f"Lid{n:02d}", f"Aa{n:02d}", party, email=f"lid{n}@tweedekamer.example") for n in range(15)]
        for person in people:
            seat(person, justice)
        seat(member("Zora", "Zwart", party, email="z@tweedekamer.example"), justice, "Voorzitter")
        seat(member("Yara", "IJzer", party, email="y@tweedekamer.example"), justice, "Ondervoorzitter")
        db.session.commit()
        already = f"member:{live['de_vries']}"
    html = chooser(client, to=already, add_committee="JenV", action="add")
    assert chips(html)[:3] == ["Anna de Vries", "Zora Zwart", "Yara IJzer"]  # the chair and vice-chair first
    assert len(chips(html)) == 10  # the campaign's cap, not the committee's 17
    assert "9 leden van de vaste commissie voor Justitie en Veiligheid toegevoegd." in html
    assert "zijn 8 leden weggelaten" in html and "Lid14 Aa14" in html
    assert "data-over-cap hidden" in html


def test_the_add_list_starts_at_the_committee_being_looked_at(client: FlaskClient, live: dict) -> None:
    html = chooser(client, committee="DEF", action="filter")
    add = re.search(r'<select id="add_committee".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\w+)" selected', add) == ["DEF"]


def test_roles_are_shown_chair_and_substitutes_included(client: FlaskClient, live: dict) -> None:
    html = chooser(client, committee="BuZa", action="filter")
    assert '<span class="role-tag role-lead">Voorzitter</span>' in item(html, "Dilan Yeşilgöz")
    assert '<span class="role-tag role-lead">Ondervoorzitter</span>' in item(html, "Tom van der Lee")
    assert '<span class="role-tag">Plaatsvervangend lid</span>' in item(html, "Pieter 't Hart")
    defence = chooser(client, committee="DEF", action="filter")
    assert '<span class="role-tag">Plaatsvervangend lid</span>' in item(defence, "Dilan Yeşilgöz")
    assert "Voorzitter, vaste commissie voor Buitenlandse Zaken" in item(defence, "Dilan Yeşilgöz")
    assert "Plaatsvervangend lid, vaste commissie voor Defensie" not in item(html, "Dilan Yeşilgöz")


def test_a_chip_is_removed_without_javascript_and_filters_clear_in_one_click(client: FlaskClient, live: dict) -> None:
    keys = [f"member:{live['yesilgoz']}", f"member:{live['de_vries']}"]
    html = chooser(client, to=keys, remove=keys[0], q="vries", party="CDA")
    assert chips(html) == ["Anna de Vries"]
    clear = re.search(r'<a href="([^"]+)">Filters wissen</a>', html).group(1)
    cleared = client.get(unescape(clear)).get_data(as_text=True)
    assert chips(cleared) == ["Anna de Vries"]
    assert 'value="vries"' not in cleared and "Dilan Yeşilgöz" in cleared


def test_committee_and_other_addresses_come_first_as_their_own_group(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        build_directory()
        petitions = ExtraTarget(name="Commissie voor de Verzoekschriften", email="petities@tweedekamer.example")
        db.session.add(petitions)
        db.session.commit()
        campaign(extra_targets=[petitions.id])
    html = chooser(client)
    offices = html.index("Commissies en andere adressen")
    assert offices < html.index(">vaste commissie voor Buitenlandse Zaken</span>") < html.index('id="found-heading"')
    assert offices < html.index("Commissie voor de Verzoekschriften") < html.index('id="found-heading"')
    assert '"target-name">vaste commissie voor Defensie</span>' not in html  # no address known: not offered


def test_steps_behind_are_ticked_and_steps_ahead_are_not(app: Flask) -> None:
    with app.test_request_context():
        html = app.jinja_env.from_string('{% from "_macros.html" import steps %}{{ steps("confirm") }}').render()
    items = re.findall(r"<li([^>]*)>", html)
    assert ["passed" in attributes for attributes in items] == [True, True, False, False]
    assert 'aria-current="step"' in items[2]


def test_the_member_list_shows_each_members_role_in_the_committee_filtered_on(
    client: FlaskClient, directory: dict
) -> None:
    html = client.get("/members", query_string={"committee": "DEF"}).get_data(as_text=True)
    rows = {
        unescape(re.search(r'class="member-name"[^>]*>([^<]+)<', li).group(1)): li
        for li in html.split("<li")[1:]
        if 'class="member-name"' in li
    }
    assert '<span class="role-tag role-lead">Voorzitter</span>' in rows["Anna de Vries"]
    assert '<span class="role-tag">Plaatsvervangend lid</span>' in rows["Dilan Yeşilgöz"]


def test_the_chooser_is_reused_for_visitors_until_the_directory_or_the_campaign_changes(
    app: Flask, client: FlaskClient, live: dict
) -> None:
    from datetime import timedelta

    from outreach.campaigns.models import Campaign
    from outreach.database import utcnow
    from outreach.directory.models import Committee, CommitteeOverride, Member

    first = chooser(client, action="filter")
    with app.app_context():
        changed = db.session.get(Member, live["de_vries"]).updated_at
        db.session.execute(  # changed behind the application's back: the page in the cache is still shown
            db.update(Member).where(Member.id == live["de_vries"]).values(first_name="Anneke", updated_at=changed)
        )
        db.session.commit()
    assert chooser(client, action="filter") == first
    with app.app_context():  # an organiser enters the committee's own address: visitors see it at once
        defence = db.session.scalars(db.select(Committee).where(Committee.abbreviation == "DEF")).one()
        db.session.add(CommitteeOverride(committee=defence, email="defensie@tweedekamer.example"))
        db.session.commit()
    html = chooser(client, action="filter")
    assert "Anneke de Vries" in html
    assert '"target-name">vaste commissie voor Defensie</span>' in html
    with app.app_context():  # the campaign is edited
        row = db.session.scalars(db.select(Campaign)).one()
        row.title_nl, row.updated_at = "Gedenk Khojaly", utcnow() + timedelta(minutes=1)
        db.session.commit()
    assert "Gedenk Khojaly" in chooser(client, action="filter")
