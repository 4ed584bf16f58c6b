"""The replies tables: every message that came back (answers, automatic replies, bounces, and answers logged by
hand), and the supporters' answers to the follow-up survey."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.extensions import db
from outreach.outbox.models import OutboxMessage

# What a message that came back is.
ANSWER = "answer"  # a person's answer
ACKNOWLEDGEMENT = "acknowledgement"  # "we have received your e-mail"
AUTO_REPLY = "auto_reply"  # out of office and other automatic replies
BOUNCE = "bounce"  # the letter was not delivered (a 5.x.x delivery status)
DELAY = "delay"  # delivery is delayed (4.x.x): noted, nothing changes
REPORT = "report"  # another delivery report (delivered, or a bounce without a readable status)
UNREADABLE = "unreadable"  # not a readable e-mail message: kept for an organiser
NOT_A_REPLY = "not_a_reply"  # an organiser set it aside (spam, a newsletter, a mistake)
KINDS = (ANSWER, ACKNOWLEDGEMENT, AUTO_REPLY, BOUNCE, DELAY, REPORT, UNREADABLE, NOT_A_REPLY)

# How a reply was linked to its letter.
BY_TOKEN, BY_THREAD, BY_SENDER, BY_FORWARD, BY_HAND = "token", "thread", "sender", "forward", "hand"

# Where it came from.
IMAP, FILE, WEBHOOK, MANUAL, FROM_SURVEY = "imap", "file", "webhook", "manual", "survey"

# An organiser's reading of a real answer.
STANCES = ("supports", "noncommittal", "against", "other")

# How a reply logged by hand reached the campaign.
CHANNELS = ("email", "post", "phone", "in_person")

# The follow-up survey's answers, the WriteToThem way.
REPLIED, REPLIED_NO_ANSWER, ACK_ONLY, NOT_EXPECTED, NO_REPLY = (
    "replied",
    "replied_no_answer",
    "ack_only",
    "not_expected",
    "no_reply",
)
SURVEY_ANSWERS = (REPLIED, REPLIED_NO_ANSWER, ACK_ONLY, NOT_EXPECTED, NO_REPLY)


class Reply(db.Model):
    """A message that came back about a letter (or could not be linked to one yet), or an answer an organiser
    logged by hand. `handled` is false while an organiser still has to assign or set it aside."""

    __table_args__ = (Index("ix_reply_campaign_kind", "campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The message's own Message-ID (or a digest of it when it has none): the same message is never stored twice,
    # whichever way it arrives.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    source: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(12))
    handled: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="SET NULL"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # A bounce of any outgoing e-mail (a message removed by hand from the outbox leaves the reply unlinked).
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )

    from_address: Mapped[str | None] = mapped_column(String(254))
    from_name: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(998), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # the answer without the quoted letter
    status_code: Mapped[str | None] = mapped_column(String(12))  # of a delivery report: 5.1.1, 4.2.2, ...
    error: Mapped[str | None] = mapped_column(String(500))  # why it could not be read or linked
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # the message as received, while it is unassigned
    channel: Mapped[str] = mapped_column(String(12), default="email")

    received_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    stance: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    tagged_by: Mapped[str | None] = mapped_column(String(254))
    tagged_at: Mapped[datetime | None] = mapped_column(DateTime)

    outbox_message: Mapped[OutboxMessage | None] = relationship()


class Survey(db.Model):
    """The follow-up e-mail of one submission: asked once, reminded once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    reminder_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))


class SurveyAnswer(db.Model):
    """A supporter's answer about one letter. The first answer stands; one given more than four weeks after the
    letter went out is kept but does not count for the statistics (`counts`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), unique=True)
    answer: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)  # the answer the supporter pasted, when they did
    answered_at: Mapped[datetime] = mapped_column(DateTime)
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
