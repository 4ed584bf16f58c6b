"""`flask directory export`: the JSON contract of DESIGN.md, and the same records as CSV."""

import csv
import io
import json

from flask import Flask
from flask.testing import FlaskCliRunner

from outreach.directory.models import Member, MemberOverride
from outreach.extensions import db

CONTRACT_KEYS = [
    "tk_id",
    "name",
    "first_name",
    "prefix",
    "surname",
    "gender",
    "party",
    "email",
    "salutation",
    "committees",
]


def export(runner: FlaskCliRunner, fmt: str) -> str:
    result = runner.invoke(args=["directory", "export", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_export_matches_the_contract(runner: FlaskCliRunner, directory: dict) -> None:
    records = json.loads(export(runner, "json"))
    assert [r["surname"] for r in records] == ["Hart", "Jansen", "Lee", "Procent_100%", "Vries", "Yeşilgöz"]
    for record in records:
        assert list(record) == CONTRACT_KEYS
        assert record["gender"] in ("man", "vrouw", None)
        for committee in record["committees"]:
            assert set(committee) == {"abbreviation", "name", "role", "substitute"}
    lee = next(r for r in records if r["surname"] == "Lee")
    assert lee == {
        "tk_id": None,
        "name": "Tom van der Lee",
        "first_name": "Tom",
        "prefix": "van der",
        "surname": "Lee",
        "gender": "man",
        "party": "D66",
        "email": "t.vdlee@tweedekamer.example",
        "salutation": "Geachte heer Van der Lee,",
        "committees": [
            {
                "abbreviation": "BuZa",
                "name": "vaste commissie voor Buitenlandse Zaken",
                "role": "Ondervoorzitter",
                "substitute": False,
            }
        ],
    }
    yesilgoz = next(r for r in records if r["surname"] == "Yeşilgöz")
    assert [(c["abbreviation"], c["role"], c["substitute"]) for c in yesilgoz["committees"]] == [
        ("BuZa", "Voorzitter", False),
        ("DEF", "Plv. lid", True),
    ]
    assert next(r for r in records if r["surname"] == "Hart")["email"] is None


def test_export_uses_organisers_overrides(app: Flask, runner: FlaskCliRunner, directory: dict) -> None:
    with app.app_context():
        lee = db.session.get(Member, directory["van_der_lee"])
        lee.override = MemberOverride(email="tom.vanderlee@tweedekamer.example", salutation="Beste Tom,")
        db.session.commit()
    lee = next(r for r in json.loads(export(runner, "json")) if r["surname"] == "Lee")
    assert lee["email"] == "tom.vanderlee@tweedekamer.example"
    assert lee["salutation"] == "Beste Tom,"


def test_csv_export_has_the_same_records(runner: FlaskCliRunner, directory: dict) -> None:
    rows = list(csv.DictReader(io.StringIO(export(runner, "csv"))))
    records = json.loads(export(runner, "json"))
    assert [r["name"] for r in rows] == [r["name"] for r in records]
    assert list(rows[0]) == CONTRACT_KEYS
    yesilgoz = next(r for r in rows if r["surname"] == "Yeşilgöz")
    assert yesilgoz["committees"] == "BuZa: Voorzitter; DEF: Plv. lid"
    assert yesilgoz["salutation"] == "Geachte mevrouw Yeşilgöz,"


def test_csv_export_defuses_spreadsheet_formulas(app: Flask, runner: FlaskCliRunner, directory: dict) -> None:
    with app.app_context():
        db.session.get(Member, directory["percent"]).first_name = '=HYPERLINK("http://x")'
        db.session.commit()
    row = next(r for r in csv.DictReader(io.StringIO(export(runner, "csv"))) if r["surname"] == "Procent_100%")
    assert row["first_name"].startswith("'=")


def test_export_of_an_empty_directory(runner: FlaskCliRunner) -> None:
    assert json.loads(export(runner, "json")) == []
    assert export(runner, "csv").strip() == ",".join(CONTRACT_KEYS)


def test_import_command_applies_corrections_and_skips_bad_rows(
    app: Flask, runner: FlaskCliRunner, directory: dict, tmp_path
) -> None:
    rows = list(csv.DictReader(io.StringIO(export(runner, "csv"))))
    for row in rows:
        if row["surname"] == "Lee":
            row["email"] = "tom.vanderlee@tweedekamer.nl"
        if row["surname"] == "Hart":
            row["email"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "corrections.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CONTRACT_KEYS)
        writer.writeheader()
        writer.writerows(rows)
    dry = runner.invoke(args=["directory", "import", str(path), "--dry-run"])
    assert "1 changes, 1 rows with errors; nothing saved" in dry.output
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0 and "line 2: “=cmd|' /C calc'!A0” is not an e-mail address (skipped)" in result.output
    lee = next(r for r in json.loads(export(runner, "json")) if r["surname"] == "Lee")
    assert lee["email"] == "tom.vanderlee@tweedekamer.nl"
