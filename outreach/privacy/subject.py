"""A supporter's rights: everything held about an e-mail address (found through the schema, so a new table that
refers to a supporter is included without anyone remembering to), and erasure of it."""

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Table, func, select

from outreach.campaigns.models import AWAITING, HELD, REJECTED, REPEATED, Letter, Submission, Supporter
from outreach.extensions import db
from outreach.outbox.queue import forget
from outreach.privacy import register
from outreach.privacy.retention import pseudonymise, scrub_letters, scrub_submissions

ERASED = "erased"


def address_hash(email: str) -> str:
    """A keyed hash of an address: proves which requests concerned the same address without keeping it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def rows_about(email: str) -> dict[str, list[dict[str, Any]]]:
    """Every row that refers to this address: rows holding it in an address column (see the register), then,
    repeatedly, every row of any table with a foreign key to a row already found."""
    email = email.strip().lower()
    tables = {table.name: table for table in db.metadata.sorted_tables}
    found: dict[str, dict[Any, dict[str, Any]]] = {}

    def add(table: Table, rows) -> bool:
        bucket = found.setdefault(table.name, {})
        before = len(bucket)
        for row in rows:
            record = dict(row._mapping)
            bucket[tuple(record[column.name] for column in table.primary_key.columns)] = record
        return len(bucket) > before

    for name, columns in register.ADDRESS_COLUMNS.items():
        table = tables[name]
        for column in columns:
            add(table, db.session.execute(select(table).where(func.lower(table.c[column]) == email)))
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            for foreign_key in table.foreign_keys:
                target = foreign_key.column.table
                keys = [record[foreign_key.column.name] for record in found.get(target.name, {}).values()]
                if keys and target.name in found:
                    rows = db.session.execute(select(table).where(foreign_key.parent.in_(keys)))
                    changed = add(table, rows) or changed
    # The outbox's messages are linked by number, not by a foreign key (the outbox keeps no links to rooms).
    message_ids = {
        record[column]
        for name, column in (
            ("letter", "outbox_message_id"),
            ("submission", "confirmation_message_id"),
            ("submission", "reminder_message_id"),
            ("survey", "outbox_message_id"),
            ("survey", "reminder_message_id"),
        )
        for record in found.get(name, {}).values()
        if record.get(column)
    }
    if message_ids:
        outbox = tables["outbox_message"]
        add(outbox, db.session.execute(select(outbox).where(outbox.c.id.in_(message_ids))))
        attempts = tables["delivery_attempt"]
        add(attempts, db.session.execute(select(attempts).where(attempts.c.message_id.in_(message_ids))))
    return {name: list(rows.values()) for name, rows in sorted(found.items()) if rows}


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


def erase(email: str) -> bool:
    """Erase a supporter (the caller commits): letters not sent yet are cancelled or withdrawn, every text and every
    trace of who they are is removed, including in the outbox and its delivery log. The statistics keep their
    counts. False when nothing is held about the address."""
    supporter = db.session.scalar(select(Supporter).where(Supporter.email == email.strip().lower()))
    if supporter is None:
        return False
    for submission in db.session.scalars(
        select(Submission).where(Submission.supporter_id == supporter.id, Submission.status.in_([AWAITING, REPEATED]))
    ):
        forget([submission.confirmation_message_id, submission.reminder_message_id])
        db.session.delete(submission)
    db.session.flush()
    db.session.execute(
        Letter.__table__.update()
        .where(Letter.supporter_id == supporter.id, Letter.status == HELD)
        .values(status=REJECTED, hold_reason=ERASED)
    )
    pseudonymise(supporter)  # cancels letters still waiting in the outbox, wipes the e-mails
    scrub_letters(Letter.supporter_id == supporter.id)
    scrub_submissions(Submission.supporter_id == supporter.id)
    supporter.email = f"erased-{supporter.id}@{supporter.email.rpartition('@')[2]}"
    return True
