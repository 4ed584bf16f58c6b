"""The current directory: members, parties, committees and seats as derived from the Tweede Kamer's data.

Synced columns are written only by the sync (or the demo loader); organisers' corrections live in the override
tables, which neither ever writes, so a sync can never undo them. `tk_id` holds the Kamer's GUID of the entity a
row was derived from (null for demo and hand-made rows); `source` says where a row came from.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.directory import names
from outreach.extensions import db

SOURCE_TK = "tk"
SOURCE_DEMO = "demo"

CHAIR_ROLES = ("Voorzitter", "Fng voorzitter")
VICE_CHAIR_ROLES = ("Ondervoorzitter",)


class Party(db.Model):
    """A parliamentary party group (the Kamer's `fractie`; a party gets a new record for each period it sits)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tk_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(8), default=SOURCE_TK)
    tk_number: Mapped[int | None] = mapped_column(Integer)
    abbreviation: Mapped[str] = mapped_column(String(40), index=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int | None] = mapped_column(Integer)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)

    members: Mapped[list["Member"]] = relationship(back_populates="party")


class Committee(db.Model):
    """A committee of the House (the Kamer's `commissie`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tk_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(8), default=SOURCE_TK)
    tk_number: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(100))
    abbreviation: Mapped[str] = mapped_column(String(40), index=True)
    name_nl: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    active_from: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)

    seats: Mapped[list["CommitteeSeat"]] = relationship(back_populates="committee", cascade="all, delete-orphan")
    override: Mapped["CommitteeOverride | None"] = relationship(
        back_populates="committee", cascade="all, delete-orphan"
    )

    @property
    def email(self) -> str | None:
        """The committee's address: the Kamer publishes none, so only an organiser-entered one."""
        return self.override.email if self.override and self.override.email else None


class Member(db.Model):
    """A person in the directory (the Kamer's `persoon`), current or former member of the House."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tk_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(8), default=SOURCE_TK)
    tk_number: Mapped[int | None] = mapped_column(Integer)
    titles: Mapped[str | None] = mapped_column(String(100))
    initials: Mapped[str | None] = mapped_column(String(40))
    given_names: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str | None] = mapped_column(String(40))
    surname: Mapped[str] = mapped_column(String(150))
    gender: Mapped[str | None] = mapped_column(String(10))
    function: Mapped[str | None] = mapped_column(String(100))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    party_role: Mapped[str | None] = mapped_column(String(100))
    seated_since: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # Derived from the name parts on every write (see _derive_name_keys): accent-free search and sort keys.
    search_name: Mapped[str] = mapped_column(String(500), default="")
    sort_name: Mapped[str] = mapped_column(String(400), default="", index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    party: Mapped[Party | None] = relationship(back_populates="members")
    seats: Mapped[list["CommitteeSeat"]] = relationship(back_populates="member", cascade="all, delete-orphan")
    override: Mapped["MemberOverride | None"] = relationship(back_populates="member", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        """Display name: 'Lucas van Dijk'."""
        return names.full_name(self.first_name, self.prefix, self.surname)

    @property
    def effective_email(self) -> str | None:
        """The address letters go to: an organiser's correction, else the Kamer's."""
        if self.override and self.override.email:
            return self.override.email
        return self.email

    @property
    def salutation(self) -> str:
        """The Dutch salutation for a letter to this member, honouring an organiser's override."""
        override = self.override.salutation if self.override else None
        return names.salutation(self.gender, self.prefix, self.surname, override)

    @property
    def do_not_write(self) -> bool:
        """True when the member asked not to receive campaign letters."""
        return bool(self.override and self.override.do_not_write)

    @property
    def can_be_written_to(self) -> bool:
        """A current member with an address who has not asked to be left alone."""
        return self.is_current and bool(self.effective_email) and not self.do_not_write


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _derive_name_keys(_mapper: object, _connection: object, member: Member) -> None:
    member.search_name = names.search_key(
        member.first_name, member.given_names, member.initials, member.prefix, member.surname
    )
    member.sort_name = names.fold(f"{member.surname} {member.first_name} {member.prefix or ''}")


class CommitteeSeat(db.Model):
    """A member's current place on a committee: full member or substitute, with the role the Kamer records."""

    __table_args__ = (UniqueConstraint("committee_id", "member_id", "substitute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tk_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(60))
    substitute: Mapped[bool] = mapped_column(Boolean, default=False)
    since: Mapped[date | None] = mapped_column(Date)

    committee: Mapped[Committee] = relationship(back_populates="seats")
    member: Mapped[Member] = relationship(back_populates="seats")

    @property
    def is_chair(self) -> bool:
        return not self.substitute and self.role in CHAIR_ROLES

    @property
    def is_vice_chair(self) -> bool:
        return not self.substitute and self.role in VICE_CHAIR_ROLES


class MemberOverride(db.Model):
    """An organiser's corrections for one member; the sync never writes here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    salutation: Mapped[str | None] = mapped_column(String(200))
    do_not_write: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    member: Mapped[Member] = relationship(back_populates="override")


class CommitteeOverride(db.Model):
    """An organiser's additions for one committee: its (clerk's) address, how to address it, a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    salutation: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    committee: Mapped[Committee] = relationship(back_populates="override")


class SyncRun(db.Model):
    """One run of the directory sync: when, from where, how it ended and what it changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running, succeeded, failed
    url: Mapped[str] = mapped_column(String(500))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    entities_changed: Mapped[int] = mapped_column(Integer, default=0)
    members: Mapped[int] = mapped_column(Integer, default=0)
    parties: Mapped[int] = mapped_column(Integer, default=0)
    committees: Mapped[int] = mapped_column(Integer, default=0)
    joined: Mapped[int] = mapped_column(Integer, default=0)
    left: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Per category while running: {"Persoon": {"pages": 3, "entities": 750, "done": false}, ...}
    progress: Mapped[dict | None] = mapped_column(JSON, default=dict)

    changes: Mapped[list["DirectoryChange"]] = relationship(
        back_populates="sync_run", cascade="all, delete-orphan", order_by="DirectoryChange.id"
    )

    @property
    def summary(self) -> str:
        """'150 members, 15 parties, 31 committees; 2 joined, 1 left, 3 changed'."""
        return (
            f"{self.members} members, {self.parties} parties, {self.committees} committees; "
            f"{self.joined} joined, {self.left} left, {self.changed} changed"
        )


class DirectoryChange(db.Model):
    """One change a sync made to the directory: a member joined or left, or their party, committees, address or
    name changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    member_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(12))  # joined, left, party, committee, email, name
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)

    sync_run: Mapped[SyncRun] = relationship(back_populates="changes")
    member: Mapped[Member | None] = relationship()


class ExtraTarget(db.Model):
    """An address campaigns may write to that is not a member: a committee clerk, the petitions desk, ..."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    salutation: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UndeliverableAddress(db.Model):
    """An address the mail server refused for good (a 5xx answer or a bounce): letters to it are held until an
    organiser corrects the address or clears the flag."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(String(500))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    refusals: Mapped[int] = mapped_column(Integer, default=1)
