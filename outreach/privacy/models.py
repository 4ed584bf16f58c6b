"""The privacy room's table: requests to see or erase one's data, and how they were handled."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db

EXPORT, ERASURE = "export", "erasure"
SELF_SERVICE = "self_service"


class PrivacyRequest(db.Model):
    """A request to see or erase the data held about an e-mail address. The address itself is kept only while a
    self-service link can still be used (an hour); what stays is a keyed hash of it, proof that the request was
    handled without keeping whom it was about."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # export or erasure (a self-service link allows both)
    channel: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    handled_by: Mapped[str | None] = mapped_column(String(254))  # an organiser, or "self-service"
    note: Mapped[str | None] = mapped_column(Text)
