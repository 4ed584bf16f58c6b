"""The bundled demo directory: what `flask directory demo` loads and how the site shows it."""

import json
from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from outreach.directory.demo import DEMO_FILE
from outreach.directory.models import Committee, CommitteeSeat, Member, Party
from outreach.extensions import db
from tests.builders import member, party

SEATS_2025 = {
    "D66": 26,
    "PVV": 26,
    "VVD": 22,
    "GL-PvdA": 20,
    "CDA": 18,
    "JA21": 9,
    "FVD": 7,
    "BBB": 4,
    "DENK": 3,
    "SGP": 3,
    "PvdD": 3,
    "CU": 3,
    "SP": 3,
    "50PLUS": 2,
    "Volt": 1,
}


def load(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["directory", "demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_150_members_with_the_2025_seat_counts(app: Flask, runner: FlaskCliRunner) -> None:
    assert "150 fictional members, 15 parties" in load(runner)
    with app.app_context():
        rows = db.session.execute(select(Party.abbreviation, func.count(Member.id)).join(Member).group_by(Party.id))
        assert dict(rows.all()) == SEATS_2025
        emails = db.session.scalars(select(Member.email).where(Member.email.is_not(None))).all()
        assert len(emails) >= 140
        assert all(e.endswith(".example") for e in emails)
        assert len(set(emails)) == len(emails)


def test_demo_committees_have_a_chair_vice_chair_members_and_substitutes(app: Flask, runner: FlaskCliRunner) -> None:
    load(runner)
    with app.app_context():
        committees = db.session.scalars(select(Committee)).all()
        assert len(committees) >= 15
        for committee in committees:
            roles = Counter(seat.role for seat in committee.seats)
            assert roles["Voorzitter"] == 1 and roles["Ondervoorzitter"] == 1, committee.abbreviation
            assert roles["Lid"] >= 5 and roles["Plv. lid"] >= 5, committee.abbreviation
            substitutes = {s.member_id for s in committee.seats if s.substitute}
            assert not substitutes & {s.member_id for s in committee.seats if not s.substitute}


def test_demo_file_has_no_real_addresses() -> None:
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    addresses = [m["email"] for m in data["members"] if m["email"]] + [
        c["email"] for c in data["committees"] if c["email"]
    ]
    assert addresses and all(a.endswith("@tweedekamer.example") for a in addresses)


def test_loading_again_replaces_the_demo_and_if_empty_leaves_it(app: Flask, runner: FlaskCliRunner) -> None:
    load(runner)
    load(runner)
    assert "already has members" in load(runner, "--if-empty")
    with app.app_context():
        assert db.session.scalar(select(func.count(Member.id))) == 150
        assert db.session.scalar(select(func.count(Party.id))) == 15
        seats = db.session.scalar(select(func.count(CommitteeSeat.id)))
    load(runner)
    with app.app_context():
        assert db.session.scalar(select(func.count(CommitteeSeat.id))) == seats


def test_demo_is_refused_over_a_real_directory(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        member("Echt", "Kamerlid", party("VVD", "VVD"), tk_id="c7822b58-103f-4612-87ef-648be97192c6")
        db.session.commit()
    result = runner.invoke(args=["directory", "demo"])
    assert result.exit_code != 0
    assert "would mix fictional and real members" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Member.id))) == 1


@pytest.mark.parametrize("url", ["/", "/members", "/committees", "/parties"])
def test_every_page_says_the_demo_members_are_fictional(app: Flask, runner: FlaskCliRunner, url: str) -> None:
    client = app.test_client()
    assert "Demonstratiegegevens" not in client.get(url).get_data(as_text=True)
    load(runner)
    page = client.get(url).get_data(as_text=True)
    assert "Demonstratiegegevens" in page and "flask directory sync" in page


def test_demo_member_list_shows_all_150(app: Flask, runner: FlaskCliRunner) -> None:
    load(runner)
    page = app.test_client().get("/members").get_data(as_text=True)
    assert page.count('class="member-name"') == 150
    assert "150 leden" in page
