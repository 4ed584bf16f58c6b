"""What a daily digest says, and who is told: at the campaign's digest hour the letters to one member past the
day's cap become one message ("Vandaag schreven nog 37 mensen u over …") with the campaign's letter once and each
writer's name, place and own words in full; every writer gets a notice that their letter went in it, and their
status page says so. The outbox keeps the digest's life (`outbox.digest`); the worker builds due digests about
once a minute."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import format_date, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.campaigns import letters as placeholders
from outreach.campaigns import tokens
from outreach.campaigns.models import Campaign, Letter, Submission
from outreach.campaigns.submit import template, title
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox import compose, pacing, states
from outreach.outbox import digest as outbox_digest
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE, OutboxMessage
from outreach.urls import public_url

_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Writer:
    """One letter in a digest, as the member reads it: who wrote it, from where, and what they wrote themselves."""

    name: str
    place: str | None
    words: str


def build_due(now: datetime) -> int:
    """Build every digest whose hour has come, each with the links to its letters and its writers' notices in the
    caller's transaction. Returns how many were built."""
    built = 0
    for waiting in outbox_digest.due(now):
        found = db.session.scalars(
            select(Letter)
            .where(Letter.outbox_message_id.in_([m.id for m in waiting]))
            .options(selectinload(Letter.submission).selectinload(Submission.supporter))  # each writer's, at once
        )
        by_message = {letter.outbox_message_id: letter for letter in found}
        campaign = db.session.get(Campaign, waiting[0].campaign_id)
        if campaign is None:
            continue
        digest = _bundle(campaign, waiting, by_message)
        for message in waiting:
            letter = by_message.get(message.id)
            if letter is not None:
                _tell_writer(letter, campaign, len(waiting), now)
        built += digest is not None
    return built


def _bundle(campaign: Campaign, waiting: list[OutboxMessage], by_message: dict[int, Letter]) -> OutboxMessage:
    first = waiting[0]
    language = first.language
    known: dict[str, set[str]] = {}  # the campaign's paragraphs per letter language, worked out once each
    writers = [writer(message, by_message.get(message.id), campaign, known) for message in waiting]
    to = compose.Recipient(first.recipient_name, first.recipient, first.member_id)
    subject, body = text(campaign, to, by_message.get(first.id), writers, language)
    sender = compose.format_address(" ".join(title(campaign, language).split()), current_app.config["LETTERS_FROM"])
    return outbox_digest.bundle(waiting, subject, body, sender=sender, language=language)


def writer(message: OutboxMessage, letter: Letter | None, campaign: Campaign, known: dict[str, set[str]]) -> Writer:
    """The writer of a letter in a digest; their own words are the paragraphs of their letter that are not the
    campaign's (a letter written outside the campaign's form gives its whole text). `known` keeps the campaign's
    paragraphs per language for the digest's next letters."""
    if letter is None:
        return Writer(message.supporter_name or "", None, message.body.split("\n-- \n")[0].strip())
    submission = letter.submission
    if submission.language not in known:
        known[submission.language] = {_normal(p) for p in _paragraphs(template(campaign, submission.language)[1])}
    own = [p for p in _paragraphs(submission.body) if _normal(p) not in known[submission.language]]
    values = _values(letter, campaign, submission.name, submission.place or "")
    return Writer(submission.name, submission.place, placeholders.fill("\n\n".join(own), values).strip())


def text(
    campaign: Campaign, to: compose.Recipient, letter: Letter | None, writers: list[Writer], language: str
) -> tuple[str, str]:
    """The digest's subject and body in the letter's language."""
    campaign_title = title(campaign, language)
    campaign_text = ""
    if letter is not None:
        filled = placeholders.fill(template(campaign, language)[1], _values(letter, campaign, "", ""))
        paragraphs = _paragraphs(filled)
        if paragraphs and paragraphs[0] == letter.salutation.strip():
            paragraphs = paragraphs[1:]  # the digest has its own salutation
        if paragraphs and "\n" not in paragraphs[-1] and paragraphs[-1].endswith(","):
            paragraphs = paragraphs[:-1]  # "Met vriendelijke groet," belonged to each writer's own name
        campaign_text = "\n\n".join(paragraphs)
    outbox_campaign = compose.Campaign(campaign.id, campaign_title, "", campaign.contact)
    mail = render_email(
        "digest",
        language,
        count=len(writers),
        title=campaign_title,
        cap=campaign.daily_cap or 0,
        salutation=letter.salutation if letter is not None else None,
        campaign_text=campaign_text,
        writers=[(f"{one.name} ({one.place})" if one.place else one.name, one.words) for one in writers],
        url=public_url("campaigns.show", slug=campaign.slug),
        campaign_lines=compose.campaign_lines(to, outbox_campaign, language),
    )
    return mail.subject, mail.body


def _tell_writer(letter: Letter, campaign: Campaign, count: int, now: datetime) -> None:
    """The writer's notice (never held by office hours): their letter goes in today's digest, in full."""
    submission = letter.submission
    language = submission.page_language
    mail = render_email(
        "digest_notice",
        language,
        name=submission.name,
        member=letter.recipient_name,
        cap=campaign.daily_cap or 0,
        title=title(campaign, language),
        others=count - 1,
        link=public_url("campaigns.confirm", token=tokens.confirmation(submission.id)),
    )
    compose.enqueue(
        NOTICE,
        compose.Recipient(submission.name, submission.supporter.email),
        mail.subject,
        mail.body,
        language=language,
        campaign_id=campaign.id,
    )


def in_digests(letters: list[Letter]) -> dict[int, str]:
    """For the status page, in the reader's language: the letters waiting for a digest or carried by one."""
    ids = [letter.outbox_message_id for letter in letters if letter.outbox_message_id]
    if not ids:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.next_attempt_at, OutboxMessage.sent_at).where(
            OutboxMessage.id.in_(ids),
            (OutboxMessage.status == states.DIGEST_WAIT)
            | (OutboxMessage.status.in_([states.IN_DIGEST, states.SENT]) & OutboxMessage.digest_id.is_not(None)),
        )
    )
    found = {message_id: (status, pacing.local_now(sent_at or due).date()) for message_id, status, due, sent_at in rows}
    said = {}
    for letter in letters:
        if letter.outbox_message_id not in found:
            continue
        status, day = found[letter.outbox_message_id]
        template_text = (
            gettext("waits for the daily digest to %(name)s of %(date)s")
            if status == states.DIGEST_WAIT
            else gettext("in the daily digest to %(name)s of %(date)s")
        )
        said[letter.id] = template_text % {"name": letter.recipient_name, "date": format_date(day, "long")}
    return said


def _values(letter: Letter, campaign: Campaign, name: str, place: str) -> dict[str, str]:
    member = db.session.get(Member, letter.member_id) if letter.member_id else None
    language = letter.submission.language
    return {
        "salutation": letter.salutation,
        "mp_name": letter.recipient_name,
        "mp_party": member.party.abbreviation if member is not None and member.party is not None else "",
        "supporter_name": name,
        "supporter_city": place,
        "campaign_title": title(campaign, language),
    }


def _paragraphs(value: str) -> list[str]:
    return [p.strip() for p in _BLANK_LINES.split(value.replace("\r\n", "\n")) if p.strip()]


def _normal(paragraph: str) -> str:
    return " ".join(paragraph.split()).casefold()
