"""Organiser accounts, their second factor and recovery codes, and the audit log of what organisers do."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.database import utcnow
from outreach.extensions import db

ROLES = ("organiser", "admin")  # in rising order of what they may do


def new_session_token() -> str:
    return secrets.token_hex(16)


class Account(UserMixin, db.Model):
    """An organiser who can log in to /admin/: `organiser` runs campaigns and the directory, `admin` also accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12), default="organiser")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of every session's login id: a new value ends all sessions of the account (password change or reset).
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The TOTP secret (base32); it counts as a second factor only once confirmed by a code (totp_enabled_at).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code of this 30-second step or older is refused
    # The password-reset link: only its hash is kept, and only the latest link works.
    reset_token_hash: Mapped[str | None] = mapped_column(String(64))
    reset_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """The login id kept in the session: the account and its current session token (see `end_sessions`)."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Every session logged in until now stops working at its next request."""
        self.session_token = new_session_token()

    def has_role(self, role: str) -> bool:
        """Whether this account may do what `role` may do."""
        return ROLES.index(self.role) >= ROLES.index(role)


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; only its SHA-256 hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    account: Mapped[Account] = relationship(back_populates="recovery_codes")


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
