"""The directory as data: the export records of DESIGN.md's contract, as JSON or CSV."""

import csv
import io
import json
from typing import Any

from outreach.directory.models import Member

CSV_COLUMNS = (
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
)
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def member_record(member: Member) -> dict[str, Any]:
    """One member as the export contract describes it."""
    seats = sorted(member.seats, key=lambda seat: (seat.substitute, seat.committee.name_nl))
    return {
        "tk_id": member.tk_id,
        "name": member.name,
        "first_name": member.first_name,
        "prefix": member.prefix or None,
        "surname": member.surname,
        "gender": member.gender if member.gender in ("man", "vrouw") else None,
        "party": member.party.abbreviation if member.party else None,
        "email": member.effective_email,
        "salutation": member.salutation,
        "committees": [
            {
                "abbreviation": seat.committee.abbreviation,
                "name": seat.committee.name_nl,
                "role": seat.role,
                "substitute": seat.substitute,
            }
            for seat in seats
        ],
    }


def to_json(members: list[Member]) -> str:
    """A JSON array of export records, in the order given."""
    return json.dumps([member_record(m) for m in members], ensure_ascii=False, indent=2)


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(members: list[Member]) -> str:
    """The export records as CSV; committees as 'BuZa: Voorzitter; DEF: Plv. lid'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for member in members:
        record = member_record(member)
        record["committees"] = "; ".join(f"{c['abbreviation']}: {c['role']}" for c in record["committees"])
        writer.writerow([_csv_cell(record[column]) for column in CSV_COLUMNS])
    return out.getvalue()
