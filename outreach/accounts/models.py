"""Organiser accounts and the audit log of what organisers do."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.database import utcnow
from outreach.extensions import db

ROLES = ("organiser", "admin")  # in rising order of what they may do


class Account(UserMixin, db.Model):
    """An organiser who can log in to /admin/: `organiser` runs campaigns and the directory, `admin` also accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12), default="organiser")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, role: str) -> bool:
        """Whether this account may do what `role` may do."""
        return ROLES.index(self.role) >= ROLES.index(role)


class AuditEntry(db.Model):
    """Who did what to which record, and when; never the contents of letters or personal messages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    account_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(500))

    account: Mapped[Account | None] = relationship()
