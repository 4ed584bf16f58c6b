"""Organisers' corrections from a CSV file in the export's columns: plan (preview), then apply.

Only two columns are corrections: `email` and `salutation`. A value that differs from what the directory says
becomes an organiser override; a value equal to the synced one removes the override. Empty cells change nothing;
the other columns are there for reading and are ignored. Rows are matched by `tk_id`, or by `name` when it is empty.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.directory import names
from outreach.directory.models import Member, MemberOverride
from outreach.extensions import db
from outreach.validation import is_email

REQUIRED = ("tk_id", "name", "email", "salutation")


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
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        plan.errors.append(RowError(1, gettext("missing columns: %(columns)s", columns=", ".join(missing))))
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
