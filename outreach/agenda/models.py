"""The agenda's mirror: only the fields campaigns need of activities, agenda items, cases, decisions, votes and
answers to written questions.

Every row keeps its feed version (`updated`); a deleted entity stays as a tombstone without its fields, so a late
replay of an older version cannot bring it back. Relations held many times (a case on several agenda items, a
decision on several cases) live in AgendaLink.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class _Mirrored:
    tk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    updated: Mapped[datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Activity(_Mirrored, db.Model):
    """A debate, committee meeting or vote session (Activiteit): when, what, who leads, and its status."""

    __tablename__ = "agenda_activity"

    kind: Mapped[str | None] = mapped_column(String(80))  # soort: Commissiedebat, Plenair debat, ...
    number: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(Text)
    date_kind: Mapped[str | None] = mapped_column(String(40))  # datumSoort: "Dag", "Nog geen datum bekend"
    day: Mapped[date | None] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str | None] = mapped_column(String(40))  # Gepland, Verplaatst, Geannuleerd, Uitgevoerd
    location: Mapped[str | None] = mapped_column(String(120))
    committee_tk_id: Mapped[str | None] = mapped_column(String(36))
    committee_name: Mapped[str | None] = mapped_column(String(200))
    committee_abbreviation: Mapped[str | None] = mapped_column(String(40))


class ActivityActor(_Mirrored, db.Model):
    """Someone taking part in an activity (ActiviteitActor): the spokesperson of a party, a minister, a chair."""

    __tablename__ = "agenda_activity_actor"

    activity_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    person_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    party: Mapped[str | None] = mapped_column(String(60))
    relation: Mapped[str | None] = mapped_column(String(60))
    function: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int | None] = mapped_column(Integer)


class AgendaItem(_Mirrored, db.Model):
    """One point on an activity's agenda (Agendapunt); it may move to another activity."""

    __tablename__ = "agenda_item"

    activity_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    number: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(40))


class Case(_Mirrored, db.Model):
    """A parliamentary case (Zaak): a motion, an amendment, written questions, a bill, a petition."""

    __tablename__ = "agenda_case"

    kind: Mapped[str | None] = mapped_column(String(60))
    number: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str | None] = mapped_column(String(60))
    dossier_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)


class CaseActor(_Mirrored, db.Model):
    """Who submitted or co-submitted a case (ZaakActor)."""

    __tablename__ = "agenda_case_actor"

    case_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    person_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    party: Mapped[str | None] = mapped_column(String(60))
    relation: Mapped[str | None] = mapped_column(String(60))  # Indiener, Medeindiener, ...


class Decision(_Mirrored, db.Model):
    """What the House decided on an agenda item (Besluit): "Aangehouden", "Aangenomen.", "Verworpen." ..."""

    __tablename__ = "agenda_decision"

    agenda_item_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str | None] = mapped_column(Text)
    vote_kind: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str | None] = mapped_column(String(40))


class Vote(_Mirrored, db.Model):
    """How a party (or, in a hoofdelijke stemming, a member) voted on a decision (Stemming)."""

    __tablename__ = "agenda_vote"

    decision_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    person_tk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    party_tk_id: Mapped[str | None] = mapped_column(String(36))
    choice: Mapped[str | None] = mapped_column(String(30))  # Voor, Tegen, Niet deelgenomen
    party_size: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(120))
    party: Mapped[str | None] = mapped_column(String(60))
    mistaken: Mapped[bool | None] = mapped_column(Boolean)  # vergissing


class Dossier(_Mirrored, db.Model):
    """A Kamerstukdossier: the number organisers watch (36600-V) and its title."""

    __tablename__ = "agenda_dossier"

    number: Mapped[int | None] = mapped_column(Integer, index=True)
    suffix: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)


class Document(_Mirrored, db.Model):
    """A document on written questions (Document): the answer, or a notice that the answer will be late.

    Only those kinds are mirrored (see mirror.ANSWER_KINDS); the cases a document belongs to live in AgendaLink.
    """

    __tablename__ = "agenda_document"

    kind: Mapped[str | None] = mapped_column(String(80))  # soort: Antwoord schriftelijke vragen, Mededeling uitstel ...
    number: Mapped[str | None] = mapped_column(String(40))  # documentNummer: 2026D12345, the key of its Kamer page
    subject: Mapped[str | None] = mapped_column(Text)
    day: Mapped[date | None] = mapped_column(Date)


class AgendaLink(db.Model):
    """A relation held many times: a case on an activity or agenda item, a decision or document on a case."""

    __tablename__ = "agenda_link"

    source_tk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    relation: Mapped[str] = mapped_column(String(20), primary_key=True)  # activiteit, agendapunt, zaak
    target_tk_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


WATCH_KINDS = ("keyword", "committee", "dossier")
NEW, CONFIRMED, DISMISSED = "new", "confirmed", "dismissed"


class CampaignWatch(db.Model):
    """What a campaign watches in the House's business: a keyword, a committee or a dossier number."""

    __tablename__ = "agenda_watch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of WATCH_KINDS
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WatchMatch(db.Model):
    """An activity, agenda item or case a campaign's watches found; the organiser confirms or dismisses it.

    A decided match keeps its state whatever later syncs bring: only undecided ones come and go with the data.
    """

    __tablename__ = "agenda_match"
    __table_args__ = (UniqueConstraint("campaign_id", "category", "tk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(10))  # activity, item, case
    tk_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(200))  # the watch that found it, as the organiser typed it
    state: Mapped[str] = mapped_column(String(10), default=NEW)
    found_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class DebateAction(db.Model):
    """ "Write before this debate": an action of a campaign aimed at one activity, open until its deadline."""

    __tablename__ = "agenda_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    activity_tk_id: Mapped[str] = mapped_column(String(36))
    deadline: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; None: the debate's start, wherever it moves
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # the chooser's keys, "member:12"
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # closed early by an organiser


class LedgerSetting(db.Model):
    """Whether a campaign's outcome ledger is shown on its public page (the organiser's choice; off until chosen)."""

    __tablename__ = "agenda_ledger_setting"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)


class AgendaAlert(db.Model):
    """An e-mail that told a supporter about a debate the campaign follows: one per change, never twice."""

    __tablename__ = "agenda_alert"
    __table_args__ = (UniqueConstraint("submission_id", "activity_tk_id", "change"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    activity_tk_id: Mapped[str] = mapped_column(String(36))
    change: Mapped[str] = mapped_column(String(80))  # "cancelled", or the date and start the supporter was told
    created_at: Mapped[datetime] = mapped_column(DateTime)
