"""The outbox tables: one row per e-mail to one recipient, its delivery attempts, and the queue's own state."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.extensions import db

# Kinds of e-mail, in the order the worker sends them when several are due: a supporter waiting for their
# confirmation link comes before a letter that may wait a minute.
CONFIRMATION = "confirmation"
NOTICE = "notice"
SURVEY = "survey"
LETTER = "letter"
DIGEST = "digest"  # one message to a member holding the day's letters past the campaign's daily cap
PRIORITY = {CONFIRMATION: 0, NOTICE: 1, SURVEY: 2, LETTER: 3, DIGEST: 3}
TO_MEMBERS = (LETTER, DIGEST)  # the kinds that keep office hours and count against the daily cap


class OutboxMessage(db.Model):
    """One e-mail to one recipient, from the moment it is queued until it is sent, fails for good or is cancelled.

    Everything needed to build the message is stored here when it is queued, including its Message-ID, so every
    attempt sends the same message. `status` changes only through `outbox.states.move`.
    """

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(12))
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    bounce_token: Mapped[str] = mapped_column(String(40), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="nl")

    # The message as the recipient sees it (header values are checked for line breaks before they get here).
    sender: Mapped[str] = mapped_column(String(600))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(300))
    reply_to: Mapped[str | None] = mapped_column(String(1000))
    envelope_from: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(998))
    body: Mapped[str] = mapped_column(Text)

    # Where it belongs: the campaign (the kill switch, the per-MP daily cap), the member (held when they left the
    # House or opted out), the supporter (told when a letter fails; "cancel this supporter's letters").
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    supporter_email: Mapped[str | None] = mapped_column(String(254), index=True)
    supporter_name: Mapped[str | None] = mapped_column(String(300))
    # The supporter's own language, for a notice about this letter (the letter itself may be in another).
    supporter_language: Mapped[str | None] = mapped_column(String(5))
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    # A letter gathered into a digest: the digest that carries it (a letter belongs to at most one). A plain number,
    # like campaign_id: on SQLite a reference would mean copying the whole table, which empties the links to it.
    digest_id: Mapped[int | None] = mapped_column(Integer, index=True)

    # Delivery bookkeeping.
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    worker_id: Mapped[str | None] = mapped_column(String(120))
    last_code: Mapped[int | None] = mapped_column(Integer)
    last_text: Mapped[str | None] = mapped_column(String(500))

    delivery_attempts: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="DeliveryAttempt.id"
    )


class DeliveryAttempt(db.Model):
    """One try at handing a message to the mail server: when, by which worker, and the server's answer (no body)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(12))  # sent, retry, failed, paused, interrupted
    code: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(500))

    message: Mapped[OutboxMessage] = relationship(back_populates="delivery_attempts")


class OutboxControl(db.Model):
    """The queue as a whole (a single row): paused or not and why, the send-rate bucket, the worker's heartbeat."""

    id: Mapped[int] = mapped_column(primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(String(500))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_by: Mapped[str | None] = mapped_column(String(254))  # an organiser, or "worker" for the circuit breaker
    resume_at: Mapped[datetime | None] = mapped_column(DateTime)  # set when the pause lifts by itself
    breaker_trips: Mapped[int] = mapped_column(Integer, default=0)  # in a row; lengthens the automatic pause
    connection_failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, across messages
    rate_tokens: Mapped[float] = mapped_column(Float, default=0.0)
    rate_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    worker_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    alert_sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecipientDay(db.Model):
    """Letters handed to the mail server per campaign, recipient and day (Amsterdam time): the per-MP daily cap."""

    __table_args__ = (UniqueConstraint("day", "campaign_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    campaign_id: Mapped[int] = mapped_column(Integer)  # 0 for letters outside a campaign
    recipient: Mapped[str] = mapped_column(String(254))
    letters: Mapped[int] = mapped_column(Integer, default=0)
