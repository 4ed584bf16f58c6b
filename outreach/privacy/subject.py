"""A supporter's rights: everything held about an e-mail address (found through the schema's foreign keys, so a new
table that refers to a supporter or to anything of theirs is included without anyone remembering to), and erasure
of it."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, exists, func, select, update

from outreach.campaigns.confirmation import discard
from outreach.campaigns.models import AWAITING, REPEATED, Letter, Submission, Supporter
from outreach.extensions import db, keyed_hash
from outreach.outbox.models import LETTER, OutboxMessage
from outreach.privacy import register
from outreach.privacy.models import PrivacyRequest
from outreach.privacy.retention import (
    forget_addresses,
    pseudonymise,
    scrub_letters,
    scrub_outbox,
    scrub_replies,
    scrub_submissions,
)
from outreach.replies.models import Reply


def address_hash(email: str) -> str:
    """A keyed hash of an address: proves which requests concerned the same address without keeping it."""
    return keyed_hash(email.strip().lower())


def rows_about(email: str) -> dict[str, list[dict[str, Any]]]:
    """Every row that refers to this address: rows holding it in an address column (see the register), then,
    repeatedly, every row of any table with a foreign key to a row already found, and every row that a row found
    refers to in a table that may hold a supporter's address (a letter's own e-mail in the outbox is about its
    writer; the campaign or the member it went to are not)."""
    email = email.strip().lower()
    tables = {table.name: table for table in db.metadata.sorted_tables}
    found: dict[str, dict[Any, dict[str, Any]]] = {}

    def add(table: Table, condition) -> bool:
        bucket = found.setdefault(table.name, {})
        before = len(bucket)
        for row in db.session.execute(select(table).where(condition)):
            record = dict(row._mapping)
            bucket[tuple(record[column.name] for column in table.primary_key.columns)] = record
        return len(bucket) > before

    def values(table: Table, column: str) -> set[Any]:
        return {record[column] for record in found.get(table.name, {}).values() if record[column] is not None}

    for name, columns in register.ADDRESS_COLUMNS.items():
        for column in columns:
            add(tables[name], _holds(tables[name], column, email))
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            for foreign_key in table.foreign_keys:
                target = foreign_key.column.table
                if keys := values(target, foreign_key.column.name):
                    changed = add(table, foreign_key.parent.in_(keys)) or changed
                if target.name in register.ADDRESS_COLUMNS and (keys := values(table, foreign_key.parent.name)):
                    changed = add(target, foreign_key.column.in_(keys)) or changed
    return {name: list(rows.values()) for name, rows in sorted(found.items()) if rows}


def _holds(table: Table, column: str, email: str):
    """Rows whose address column is this address, where that makes the row about this person: a letter *to* an
    address is a letter to a member; a message from it that answers someone else's letter is about that letter."""
    condition = func.lower(table.c[column]) == email
    if table.name == "outbox_message" and column == "recipient":
        condition &= table.c.kind != LETTER
    if table.name == "reply":
        others = select(Letter.id).join(Supporter, Supporter.id == Letter.supporter_id).where(Supporter.email != email)
        condition &= table.c.letter_id.is_(None) | table.c.letter_id.not_in(others)
    return condition


def holds_data(email: str) -> bool:
    """Whether anything at all is held about this address: a letter, an e-mail to it, or one it sent the campaign.
    Every row about an address is reached from one holding it, so the address columns are enough to ask."""
    email = email.strip().lower()
    return any(
        db.session.scalar(select(exists().where(_holds(db.metadata.tables[name], column, email))))
        for name, columns in register.ADDRESS_COLUMNS.items()
        for column in columns
    )


def as_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def export(email: str) -> dict[str, Any]:
    """All data about an address, as JSON-ready data: per table, its rows."""
    rows = rows_about(email)
    return {
        "email": email.strip().lower(),
        "tables": {
            name: [{k: as_json(v) for k, v in row.items()} for row in records] for name, records in rows.items()
        },
    }


def erase(email: str, now: datetime) -> bool:
    """Erase what is held about an address (the caller commits): letters not sent yet are cancelled or withdrawn,
    every text and every trace of who they are is removed, including in the outbox and its delivery log, and any
    other link to their data stops working. The statistics keep their counts. False when nothing was held."""
    email = email.strip().lower()
    found = rows_about(email)  # before anything changes: scrubbing removes what the rows are found by
    held = bool(found)  # every row found is reached from one holding the address (as `holds_data` asks)
    supporter = db.session.scalar(select(Supporter).where(Supporter.email == email))
    if supporter is not None:
        for submission in db.session.scalars(
            select(Submission).where(
                Submission.supporter_id == supporter.id, Submission.status.in_([AWAITING, REPEATED])
            )
        ):
            discard(submission)
        db.session.flush()
    _scrub(found)
    if supporter is not None:
        pseudonymise([supporter], prefix="erased")
    else:  # someone who never wrote a letter, but e-mailed the campaign or asked for a link before
        forget_addresses([email], [])
    hashed = address_hash(email)
    db.session.execute(update(PrivacyRequest).where(PrivacyRequest.email_hash == hashed).values(email=None))
    db.session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.email_hash == hashed, PrivacyRequest.handled_at.is_(None))
        .values(handled_at=now)
    )
    return held


# The texts of the rows an erasure finds, table by table, removed as the retention rules remove them.
SCRUBS: dict[str, tuple[type, Callable[[ColumnElement[bool]], int]]] = {
    "letter": (Letter, scrub_letters),
    "submission": (Submission, scrub_submissions),
    "outbox_message": (OutboxMessage, scrub_outbox),
    "reply": (Reply, scrub_replies),
}


def _scrub(found: dict[str, list[dict[str, Any]]]) -> None:
    for name, (model, scrub) in SCRUBS.items():
        if ids := [record["id"] for record in found.get(name, ())]:
            scrub(model.id.in_(ids))
