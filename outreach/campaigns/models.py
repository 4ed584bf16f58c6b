"""The campaign tables: campaigns, the supporters who write, their submissions and one letter per chosen recipient."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.extensions import db
from outreach.outbox.models import OutboxMessage

# A campaign's life: only a live campaign takes new letters; a paused one keeps confirmed letters back.
DRAFT, LIVE, PAUSED, CLOSED = "draft", "live", "paused", "closed"
CAMPAIGN_STATUSES = (DRAFT, LIVE, PAUSED, CLOSED)

# A submission is sent by Outreach after confirmation, or from the supporter's own mail program.
SEND, OWN_MAIL = "send", "own_mail"

# A submission waits for its confirmation, is confirmed, or merely repeated letters already written (nothing new).
AWAITING = "awaiting_confirmation"
CONFIRMED = "confirmed"
REPEATED = "repeated"

# A letter: waiting for confirmation, handed to the outbox, held for an organiser's review, rejected by one, or
# written for the supporter's own mail program (and opened there); bounced when the MP's mail server reported
# afterwards that it could not be delivered.
QUEUED, HELD, REJECTED, MAIL_PROGRAM, OPENED = "queued", "held", "rejected", "own_mail", "opened"
BOUNCED = "bounced"
LETTER_STATUSES = (AWAITING, QUEUED, HELD, REJECTED, MAIL_PROGRAM, OPENED, BOUNCED)


class Campaign(db.Model):
    """A letter campaign: its texts in Dutch and English (and reading translations), whom it may write to, its limits
    and its state."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    title_nl: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    intro_nl: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str | None] = mapped_column(Text)
    subject_nl: Mapped[str | None] = mapped_column(String(200))
    subject_en: Mapped[str | None] = mapped_column(String(200))
    body_nl: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    # Reading translations of the letter for supporters who read another language better ({"tr": {"subject": ...,
    # "body": ...}}): shown beside the letter, never sent; see campaigns/reading.py.
    reading: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)

    # Whom supporters may choose: every member, or members of the listed parties or committees (abbreviations),
    # plus extra addresses from the directory (ids of ExtraTarget); a committee whose members start ticked.
    all_members: Mapped[bool] = mapped_column(Boolean, default=True)
    parties: Mapped[list[str]] = mapped_column(JSON, default=list)
    committees: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra_targets: Mapped[list[int]] = mapped_column(JSON, default=list)
    preselect_committee: Mapped[str | None] = mapped_column(String(40))

    max_recipients: Mapped[int] = mapped_column(Integer, default=10)
    daily_cap: Mapped[int | None] = mapped_column(Integer, default=200)  # letters per MP per day; None: no cap
    sending_hours: Mapped[str | None] = mapped_column(String(60))  # letters' office hours; None: the site's
    # Past the daily cap, the day's further letters to a member go in one digest at this time (HH:MM, office time).
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_at: Mapped[str | None] = mapped_column(String(5))
    goal: Mapped[int | None] = mapped_column(Integer)  # the public goal, in letters
    contact: Mapped[str | None] = mapped_column(String(254))  # named under every letter
    tracking_address: Mapped[str | None] = mapped_column(String(254))  # Bcc of letters sent from a mail program
    # Origins of partners' sites whose pages may frame the campaign's card, one a line (see campaigns/embeds.py).
    embed_origins: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Supporter(db.Model):
    """Someone who wrote in a campaign, known by their e-mail address (one row per address)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_active_at: Mapped[datetime] = mapped_column(DateTime)


class Submission(db.Model):
    """One filled-in letter form: who, in which words, with which consent, from which source; its letters follow."""

    __table_args__ = (Index("ix_submission_supporter_created", "supporter_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(40), unique=True)  # from the form: a second post of it adds nothing
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporter.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10), default=SEND)
    status: Mapped[str] = mapped_column(String(24), default=AWAITING)
    name: Mapped[str] = mapped_column(String(100))
    place: Mapped[str | None] = mapped_column(String(60))  # a city or a 4-digit postcode
    language: Mapped[str] = mapped_column(String(5), default="nl")  # of the letter
    page_language: Mapped[str] = mapped_column(String(5), default="nl")  # of the pages and e-mails to the supporter
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the supporter's text, placeholders not yet filled
    personalised: Mapped[float] = mapped_column(Float, default=0.0)  # share of the letter changed, 0..1
    fingerprints: Mapped[int] = mapped_column(Integer, default=0)  # size of the personal part's fingerprint set
    similar_to: Mapped[int | None] = mapped_column(Integer)  # the most similar other submission, when held for it
    similarity: Mapped[float | None] = mapped_column(Float)
    review_reason: Mapped[str | None] = mapped_column(String(40))  # why its letters wait for an organiser
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(DateTime)
    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    ref: Mapped[str | None] = mapped_column(String(40), index=True)  # ?ref= on the campaign link
    created_at: Mapped[datetime] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The confirmation e-mails in the outbox, wiped when an unconfirmed submission expires. Outbox messages are
    # never deleted by Outreach; if one is removed by hand, what refers to it forgets it (SET NULL) and stays.
    confirmation_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    reminder_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    supporter: Mapped[Supporter] = relationship()
    letters: Mapped[list["Letter"]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Letter.id"
    )


class Letter(db.Model):
    """The letter to one recipient, as they receive it; its delivery is followed in the outbox."""

    __table_args__ = (UniqueConstraint("campaign_id", "supporter_id", "target", name="uq_letter_once_per_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporter.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))  # "member:12", "extra:3" or "committee:5": one letter per target
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    extra_target_id: Mapped[int | None] = mapped_column(ForeignKey("extra_target.id", ondelete="SET NULL"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id", ondelete="SET NULL"))
    recipient_name: Mapped[str] = mapped_column(String(300))
    salutation: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    personalised: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(24), default=AWAITING, index=True)
    hold_reason: Mapped[str | None] = mapped_column(String(40))
    # The letter's e-mail in the outbox; a message removed by hand leaves the letter, counted as not sent.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    submission: Mapped[Submission] = relationship(back_populates="letters")
    outbox_message: Mapped[OutboxMessage | None] = relationship()


class SubmissionFingerprint(db.Model):
    """One fingerprint of a submission's personal part: finds near-identical letters by other supporters in one
    indexed query instead of comparing every letter with every other."""

    __table_args__ = (Index("ix_submission_fingerprint_lookup", "campaign_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)  # a CRC-32, up to 2**32 - 1


class LetterDraft(db.Model):
    """A letter being written, kept while its supporter changes recipients or the page's language (the browser holds
    only its key, in the session); gone once sent, or after a day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    # Text, not the form's limits: what was typed is kept even when it is still too long to send.
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
