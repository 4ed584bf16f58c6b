"""The directory as data: the export records of DESIGN.md's contract, as JSON or CSV."""

import json
from typing import Any

from outreach.directory.models import Member
from outreach.downloads import to_csv

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


def members_csv(members: list[Member]) -> str:
    """The export records as CSV; committees as 'BuZa: Voorzitter; DEF: Plv. lid'."""
    rows = []
    for member in members:
        record = member_record(member)
        record["committees"] = "; ".join(f"{c['abbreviation']}: {c['role']}" for c in record["committees"])
        rows.append([record[column] for column in CSV_COLUMNS])
    return to_csv(CSV_COLUMNS, rows)
