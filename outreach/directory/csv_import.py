"""Organisers' corrections from a CSV or Excel file in the export's columns: plan (preview), then apply.

Files come as organisers' spreadsheet programs write them: CSV separated by `,` or `;` (Dutch Excel), in UTF-8
with or without a byte-order mark, Windows-1252 or UTF-16, or an .xlsx workbook (its first sheet). `read_upload`
turns any of them into one plain CSV text, which the preview carries to the apply step.

Only two columns are corrections: `email` and `salutation`. A value that differs from what the directory says
becomes an organiser override; a value equal to the synced one removes the override. Empty cells change nothing;
the other columns are there for reading and are ignored. Rows are matched by `tk_id`, or by `name` when it is empty.
"""

import codecs
import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.directory import names
from outreach.directory.models import Member, MemberOverride
from outreach.extensions import db
from outreach.validation import is_email

REQUIRED = ("tk_id", "name", "email", "salutation")
DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the Excel 97-2003 format


class UnreadableFile(ValueError):
    """The upload is not a table Outreach can read; the message says why, in the organiser's language."""


def read_upload(raw: bytes) -> str:
    """The rows of an uploaded CSV or .xlsx file as one CSV text (comma-separated), or UnreadableFile saying why."""
    if not raw.strip():
        raise UnreadableFile(gettext("The file is empty."))
    if raw.startswith(XLS_MAGIC):
        raise UnreadableFile(
            gettext("This is an old Excel file (.xls). Save it as Excel workbook (.xlsx) or as CSV and try again.")
        )
    rows = _xlsx_rows(raw) if raw.startswith(XLSX_MAGIC) else _csv_rows(_decode(raw))
    refusal = _missing_columns([name.strip().lower() for name in rows[0]] if rows else [])
    if refusal:
        raise UnreadableFile(refusal)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _missing_columns(header: list[str]) -> str | None:
    """Which of the export's columns the first line lacks, with what it has, so a wrong separator shows."""
    missing = [c for c in REQUIRED if c not in header]
    if not missing:
        return None
    return gettext(
        "The columns %(columns)s are missing; the first line has %(seen)s. Use the columns of the export.",
        columns=", ".join(missing),
        seen=" | ".join(f"“{name}”" for name in header) or "–",
    )


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in raw:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return raw.decode("cp1252")  # what Excel writes for "CSV (gescheiden door lijstscheidingsteken)"
        except UnicodeDecodeError:
            pass
    raise UnreadableFile(
        gettext("This is not a CSV or Excel (.xlsx) file: it is not text in UTF-8 or Windows-1252, nor a workbook.")
    )


def _csv_rows(text: str) -> list[list[str]]:
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")

    def fit(delimiter: str) -> tuple[int, int]:
        columns = [c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter))]
        return sum(c in REQUIRED for c in columns), len(columns)

    # The separator is the one under which the header names the most known columns (then: splits it most).
    delimiter = max(DELIMITERS, key=fit)
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise UnreadableFile(gettext("The file is not readable as CSV (%(error)s).", error=error)) from None


def _xlsx_rows(raw: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only organisers' uploads need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips; cells are read
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(
            gettext("This zip file is not an Excel workbook (.xlsx). Save the sheet as .xlsx or as CSV and try again.")
        ) from None
    try:
        rows = [
            ["" if value is None else str(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise UnreadableFile(gettext("The first sheet of the workbook is empty."))
    return rows


@dataclass
class PlannedChange:
    member: Member
    field: str  # email or salutation
    old: str | None
    new: str | None  # None: the override is removed and the synced value applies again


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportPlan:
    changes: list[PlannedChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def _cell(row: dict[str, str | None], column: str) -> str:
    value = (row.get(column) or "").strip()
    return value[1:] if value.startswith("'") else value  # undo the export's spreadsheet-formula guard


def plan_import(text: str) -> ImportPlan:
    """What importing `text` would change, and which rows are wrong (nothing is written)."""
    plan = ImportPlan()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    refusal = _missing_columns(reader.fieldnames)
    if refusal:
        plan.errors.append(RowError(1, refusal))
        return plan
    members = db.session.scalars(select(Member).options(selectinload(Member.override))).all()
    by_tk_id = {m.tk_id: m for m in members if m.tk_id}
    by_name: dict[str, list[Member]] = {}
    for m in members:
        if m.is_current:
            by_name.setdefault(names.fold(m.name), []).append(m)
    seen: set[int] = set()
    try:
        for line, row in enumerate(reader, start=2):
            plan.rows += 1
            error = _plan_row(plan, row, by_tk_id, by_name, seen)
            if error:
                plan.errors.append(RowError(line, error))
    except csv.Error as error:
        plan.errors.append(
            RowError(reader.line_num, gettext("the file is not readable as CSV (%(error)s)", error=error))
        )
    return plan


def _plan_row(
    plan: ImportPlan, row: dict, by_tk_id: dict[str, Member], by_name: dict[str, list[Member]], seen: set[int]
) -> str | None:
    tk_id, name = _cell(row, "tk_id").lower(), _cell(row, "name")
    if tk_id:
        member = by_tk_id.get(tk_id)
        if member is None:
            return gettext("no member with tk_id %(tk_id)s", tk_id=tk_id)
    else:
        matches = by_name.get(names.fold(name), [])
        if len(matches) != 1:
            if not matches:
                return gettext("no current member is named “%(name)s”", name=name)
            return gettext("several members are named “%(name)s”", name=name)
        member = matches[0]
    if member.id in seen:
        return gettext("%(name)s appears more than once", name=member.name)
    seen.add(member.id)

    email, salutation = _cell(row, "email"), _cell(row, "salutation")
    if email and not is_email(email):
        return gettext("“%(value)s” is not an e-mail address", value=email)
    if salutation and (len(salutation) > 200 or any(ord(ch) < 32 for ch in salutation)):
        return gettext("the salutation must be one line of at most 200 characters")
    if email and email != member.effective_email:
        plan.changes.append(
            PlannedChange(member, "email", member.effective_email, None if email == member.email else email)
        )
    if salutation and salutation != member.salutation:
        rule = names.salutation(member.gender, member.prefix, member.surname)
        plan.changes.append(
            PlannedChange(member, "salutation", member.salutation, None if salutation == rule else salutation)
        )
    return None


def apply_plan(plan: ImportPlan) -> None:
    """Write the planned corrections as overrides (the caller commits)."""
    for change in plan.changes:
        override = change.member.override or MemberOverride()
        change.member.override = override
        setattr(override, change.field, change.new)
