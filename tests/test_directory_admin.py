"""Directory upkeep by organisers: corrections, committee addresses, extra targets, CSV import, sync from the web."""

import csv
import html as html_lib
import io
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.directory.models import ExtraTarget, Member, MemberOverride, SyncRun
from outreach.extensions import db
from tests.test_directory_sync import changes_to_house, first_house, sync
from tests.tkfeed import Feed, serve


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_members_list_shows_synced_and_corrected_values_side_by_side(
    app: Flask, organiser: FlaskClient, directory: dict
) -> None:
    organiser.post(
        f"/admin/directory/members/{directory['van_der_lee']}",
        data={"email": "tom.vanderlee@tweedekamer.nl", "salutation": "Beste Tom,"},
    )
    html = page(organiser, "/admin/directory/?q=lee")
    row = html[html.index("<td>Tom van der Lee") :].split("</tr>")[0]
    assert "t.vdlee@tweedekamer.example" in row and "tom.vanderlee@tweedekamer.nl" in row and "Beste Tom," in row
    corrected = page(organiser, "/admin/directory/?show=corrected")
    assert "Tom van der Lee" in corrected and "Jan Jansen" in corrected and "Dilan" not in corrected
    no_address = page(organiser, "/admin/directory/?show=no-address")
    assert "Pieter &#39;t Hart" in no_address and "Tom van der Lee" not in no_address


def test_editing_corrections_and_clearing_them(app: Flask, organiser: FlaskClient, directory: dict) -> None:
    url = f"/admin/directory/members/{directory['hart']}"
    response = organiser.post(url, data={"email": "p.thart@tweedekamer.nl", "do_not_write": "y", "note": "belde"})
    assert response.status_code == 302
    with app.app_context():
        hart = db.session.get(Member, directory["hart"])
        assert (hart.effective_email, hart.do_not_write, hart.override.note) == (
            "p.thart@tweedekamer.nl",
            True,
            "belde",
        )
    assert "wil geen brieven ontvangen" in page(organiser, "/members?q=hart")
    organiser.post(url, data={"email": "", "salutation": "", "note": ""})
    with app.app_context():
        assert (
            db.session.scalars(select(MemberOverride).where(MemberOverride.member_id == directory["hart"])).all() == []
        )


def test_bad_corrections_are_refused_with_a_message(app: Flask, organiser: FlaskClient, directory: dict) -> None:
    url = f"/admin/directory/members/{directory['hart']}"
    for data, message in [
        ({"email": "not an address"}, "Vul één e-mailadres in"),
        ({"email": "a@b.nl\r\nBcc: x@y.nl"}, "Vul één e-mailadres in"),
        ({"salutation": "Geachte heer,\nBcc: x"}, "Gebruik één regel"),
    ]:
        response = organiser.post(url, data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, directory["hart"]).override is None


def test_a_correction_made_in_the_admin_survives_syncs(
    app: Flask, organiser: FlaskClient, runner: FlaskCliRunner
) -> None:
    with serve(Feed()) as feed:
        first_house(feed)
        with app.app_context():
            sync(feed)
            anna = db.session.scalar(select(Member).where(Member.surname == "Wit"))
        organiser.post(f"/admin/directory/members/{anna.id}", data={"email": "anna@tweedekamer.nl"})
        changes_to_house(feed)
        with app.app_context():
            sync(feed)
    exported = json.loads(runner.invoke(args=["directory", "export"]).output)
    assert next(r for r in exported if r["surname"] == "Wit")["email"] == "anna@tweedekamer.nl"


def test_committee_addresses_show_on_the_public_page(organiser: FlaskClient, directory: dict) -> None:
    url = f"/admin/directory/committees/{directory['defence']}"
    organiser.post(url, data={"email": "cie.def@tweedekamer.nl", "salutation": "Geachte griffier,"})
    assert "cie.def@tweedekamer.nl" in page(organiser, f"/committees/{directory['defence']}")
    assert "cie.def@tweedekamer.nl" in page(organiser, "/admin/directory/committees")


def test_extra_targets_are_added_and_edited(app: Flask, organiser: FlaskClient) -> None:
    bad = organiser.post("/admin/directory/targets/new", data={"name": "Petities", "email": "petities"})
    assert bad.status_code == 200
    organiser.post(
        "/admin/directory/targets/new",
        data={"name": "Tweede Kamer, petities", "email": "petities@tweedekamer.nl", "active": "y"},
    )
    with app.app_context():
        target = db.session.scalars(select(ExtraTarget)).one()
        assert (target.name, target.email, target.active) == ("Tweede Kamer, petities", "petities@tweedekamer.nl", True)
    organiser.post(
        f"/admin/directory/targets/{target.id}", data={"name": "Petities", "email": "petities@tweedekamer.nl"}
    )
    with app.app_context():
        assert db.session.get(ExtraTarget, target.id).active is False
    assert "petities@tweedekamer.nl" in page(organiser, "/admin/directory/targets")


def edited_export(client: FlaskClient) -> str:
    """The admin's CSV export with two good corrections and two bad rows."""
    body = client.get("/admin/directory/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    for row in rows:
        if row["surname"] == "Lee":
            row["email"] = "tom.vanderlee@tweedekamer.nl"
        if row["surname"] == "Vries":
            row["salutation"] = "Beste Anna,"
        if row["surname"] == "Jansen":
            row["email"] = "geen adres"
    rows.append({**rows[0], "tk_id": "00000000-0000-0000-0000-000000000000"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_import_previews_changes_and_errors_and_applies_only_when_confirmed(
    app: Flask, organiser: FlaskClient, directory: dict
) -> None:
    text = edited_export(organiser)
    preview = organiser.post(
        "/admin/directory/import",
        data={"file": (io.BytesIO(text.encode()), "directory.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert "7 rijen gelezen: 2 wijzigingen, 2 rijen met fouten." in html
    assert "Regel 3: “geen adres” is geen e-mailadres" in html
    assert "Regel 8: geen lid met tk_id 00000000-0000-0000-0000-000000000000" in html
    with app.app_context():
        assert db.session.scalars(select(MemberOverride)).all()[0].member_id == directory["opted_out"]  # only the old
        assert len(db.session.scalars(select(MemberOverride)).all()) == 1
    token = html.split('name="csv_text" type="hidden" value="')[1].split('"')[0]
    organiser.post("/admin/directory/import/apply", data={"csv_text": html_lib.unescape(token)})
    with app.app_context():
        lee = db.session.get(Member, directory["van_der_lee"])
        vries = db.session.get(Member, directory["de_vries"])
        jansen = db.session.get(Member, directory["opted_out"])
        assert lee.effective_email == "tom.vanderlee@tweedekamer.nl" and vries.salutation == "Beste Anna,"
        assert jansen.effective_email == "j.jansen@tweedekamer.example"
    again = organiser.post(
        "/admin/directory/import",
        data={"file": (io.BytesIO(text.encode()), "d.csv")},
        content_type="multipart/form-data",
    )
    assert "0 wijzigingen" in again.get_data(as_text=True)  # importing the same file twice changes nothing


SALUTATION = "Beste Özlem, café,"  # outside ASCII, so a wrong guess of the encoding shows


def corrected_rows(client: FlaskClient) -> list[list[str]]:
    """The admin's CSV export as rows, with a salutation for De Vries only Windows-1252 and UTF-8 can carry."""
    body = client.get("/admin/directory/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    surname = rows[0].index("surname")
    for row in rows[1:]:
        if row[surname] == "Vries":
            row[rows[0].index("salutation")] = SALUTATION
    return rows


def as_csv(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    if encoding == "cp1252":  # Windows-1252 has "ö" and "é" but no "ş": Yeşilgöz's row stays out of this file
        rows = [row for row in rows if all(cell.encode("cp1252", "ignore").decode("cp1252") == cell for cell in row)]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    sheet.append([])  # the empty rows spreadsheets leave at the end are no members
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FILES_ORGANISERS_HAVE = {
    "Dutch Excel, CSV (semicolons, Windows-1252)": lambda rows: as_csv(rows, ";", "cp1252"),
    "Excel, CSV UTF-8 (semicolons, byte-order mark)": lambda rows: as_csv(rows, ";", "utf-8-sig"),
    "LibreOffice, CSV (commas, UTF-8)": lambda rows: as_csv(rows, ",", "utf-8"),
    "Excel, Unicode text (tabs, UTF-16)": lambda rows: as_csv(rows, "\t", "utf-16"),
    "Excel workbook (.xlsx)": as_xlsx,
}


@pytest.mark.parametrize("kind", FILES_ORGANISERS_HAVE)
def test_csv_import_reads_the_files_spreadsheet_programs_save(
    app: Flask, organiser: FlaskClient, directory: dict, kind: str
) -> None:
    rows = corrected_rows(organiser)
    content = FILES_ORGANISERS_HAVE[kind](rows)
    read = len(rows) - 1 - ("Windows-1252" in kind)
    preview = organiser.post(
        "/admin/directory/import",
        data={"file": (io.BytesIO(content), "leden.xlsx" if kind.endswith("(.xlsx)") else "leden.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert f"{read} rijen gelezen: 1 wijzigingen, 0 rijen met fouten." in html
    assert SALUTATION in html
    token = html.split('name="csv_text" type="hidden" value="')[1].split('"')[0]
    organiser.post("/admin/directory/import/apply", data={"csv_text": html_lib.unescape(token)})
    with app.app_context():
        assert db.session.get(Member, directory["de_vries"]).salutation == SALUTATION


def test_import_command_reads_a_dutch_excel_file(
    app: Flask, organiser: FlaskClient, runner: FlaskCliRunner, directory: dict, tmp_path: Path
) -> None:
    path = tmp_path / "leden.csv"
    path.write_bytes(as_csv(corrected_rows(organiser), ";", "cp1252"))
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 changes saved, 0 rows with errors skipped." in result.output
    with app.app_context():
        assert db.session.get(Member, directory["de_vries"]).salutation == SALUTATION

    path.write_bytes(b"")
    refused = runner.invoke(args=["directory", "import", str(path)])
    assert refused.exit_code == 1 and "leden.csv: The file is empty." in refused.output


def zip_of_a_text_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("leden.txt", "tk_id,name,email,salutation\n")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"\n \r\n", "Het bestand is leeg."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "oud Excel-bestand (.xls)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "geen CSV- of Excel-bestand (.xlsx)"),
        (zip_of_a_text_file(), "geen Excel-werkmap (.xlsx)"),
        (b"tk_id|name|email|salutation\n1|A|a@b.nl|\n", "de eerste regel heeft “tk_id|name|email|salutation”"),
        (b"a,b\n1,2\n", "ontbreken de kolommen tk_id, name, email, salutation; de eerste regel heeft “a” | “b”"),
    ],
)
def test_csv_import_refusals_name_the_real_cause(
    organiser: FlaskClient, directory: dict, content: bytes, message: str
) -> None:
    response = organiser.post(
        "/admin/directory/import", data={"file": (io.BytesIO(content), "x.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in html_lib.unescape(response.get_data(as_text=True))


def test_sync_started_from_the_admin_runs_in_the_background(app: Flask, organiser: FlaskClient) -> None:
    with serve(Feed()) as feed:
        first_house(feed)
        app.config["TK_SYNCFEED_URL"] = feed.base_url
        response = organiser.post("/admin/directory/sync")
        run_url = response.headers["Location"]
        assert run_url.startswith("/admin/directory/sync/")
        deadline = time.monotonic() + 120  # a few seconds on a quiet machine; wide for a loaded one
        while time.monotonic() < deadline:
            with app.app_context():
                run = db.session.scalars(select(SyncRun)).one()
                if run.status != "running":
                    break
            time.sleep(0.05)
    assert run.status == "succeeded", run.error
    html = page(organiser, run_url)
    assert "6 leden, 3 partijen, 2 commissies; 6 toegetreden, 0 vertrokken, 0 gewijzigd" in html
    assert "Anna de Wit" in html and "kwam in de Kamer" in html
    assert html.count("bijgewerkt") == 10  # every category caught up
    assert "Laatste synchronisatie" in page(organiser, "/admin/")
