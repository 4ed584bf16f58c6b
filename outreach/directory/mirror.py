"""The local mirror of the SyncFeed: every entity of the ten categories as last published, and a cursor per category.

The cursors, and the rule that an older version never replaces a newer one, serve the agenda's mirror too.

Pages are stored with their cursor in one transaction, so an interrupted sync resumes after the last stored page
and storing the same page twice changes nothing. A replay of an entity older than the stored one is ignored.
"""

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from outreach.database import utcnow
from outreach.directory.syncfeed import Page
from outreach.extensions import db

_FRACTION = re.compile(r"(\.\d{6})\d+")


class TkEntity(db.Model):
    """One Tweede Kamer entity as the feed last published it (deleted ones are kept, marked)."""

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    tk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    updated: Mapped[datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SyncCursor(db.Model):
    """Where the next sync of a category starts: the feed's own link past the last stored entry."""

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_url: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


def parse_timestamp(value: str) -> datetime | None:
    """A feed timestamp as naive UTC; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def cursors() -> dict[str, str]:
    """The stored cursor of every category synced before."""
    return {c.category: c.next_url for c in db.session.scalars(select(SyncCursor))}


def store_page(category: str, page: Page, page_url: str) -> int:
    """Store a page's entities and move the category's cursor past it; returns how many entities changed.

    The caller commits, making the entities and the cursor durable together.
    """
    incoming = {entry.entity.id: entry.entity for entry in page.entries}
    stored = {
        row.tk_id: row
        for row in db.session.scalars(
            select(TkEntity).where(TkEntity.category == category, TkEntity.tk_id.in_(list(incoming)))
        )
    }
    changed = 0
    for entity in incoming.values():  # a later entry for the same id overwrote the earlier one above
        updated = parse_timestamp(entity.updated)
        row = stored.get(entity.id)
        if row is None:
            row = TkEntity(category=category, tk_id=entity.id)
            db.session.add(row)
        elif is_replay(row.updated, updated):
            continue
        data = {"fields": entity.fields, "refs": entity.refs}
        if row.data != data or row.deleted != entity.deleted or row.updated != updated:
            changed += 1
        row.updated, row.deleted, row.data = updated, entity.deleted, data

    move_cursor(category, page, page_url)
    return changed


def is_replay(stored: datetime | None, incoming: datetime | None) -> bool:
    """Whether an incoming version is older than the stored one (a re-publication), and so to be ignored."""
    return bool(stored and incoming and incoming < stored)


def move_cursor(category: str, page: Page, page_url: str) -> None:
    """Move the category's cursor past a stored page (to its resume link when caught up); the caller commits."""
    if page.entries:
        cursor_url = page.entries[-1].next_url or page.next_url or page_url
    else:
        cursor_url = page.resume_url or page_url
    cursor = db.session.get(SyncCursor, category) or SyncCursor(category=category)
    cursor.next_url, cursor.updated_at = cursor_url, utcnow()
    db.session.add(cursor)


def load(category: str) -> dict[str, dict[str, Any]]:
    """The category's entities that are not deleted, by id: {"fields": ..., "refs": ...}."""
    rows = db.session.execute(
        select(TkEntity.tk_id, TkEntity.data).where(TkEntity.category == category, TkEntity.deleted.is_(False))
    )
    return {tk_id: data for tk_id, data in rows}
