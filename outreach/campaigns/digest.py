"""What a daily digest says, and who is told: at the campaign's digest hour the letters to one member past the
day's cap become one message ("Vandaag schreven nog 37 mensen u over …") with the campaign's letter once and each
writer's name, place and own words in full; every writer gets a notice that their letter went in it, and their
status page says so. The outbox keeps the digest's life (`outbox.digest`); the worker builds due digests about
once a minute."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_date, gettext, ngettext
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
    with force_locale(language):
        count = len(writers)
        subject = ngettext(
            "Today %(num)d more person wrote to you about “%(title)s”",
            "Today %(num)d more people wrote to you about “%(title)s”",
            count,
            title=campaign_title,
        )
        parts = [
            letter.salutation if letter is not None else gettext("Dear Member of Parliament,"),
            ngettext(
                "Today %(num)d more person wrote to you about “%(title)s”. So as not to fill your inbox, the "
                "campaign sends you at most %(cap)d separate letters a day; the rest come together in this one "
                "message: the campaign's letter once, then each writer's name and place and their own words in full.",
                "Today %(num)d more people wrote to you about “%(title)s”. So as not to fill your inbox, the "
                "campaign sends you at most %(cap)d separate letters a day; the rest come together in this one "
                "message: the campaign's letter once, then each writer's name and place and their own words in full.",
                count,
                title=campaign_title,
                cap=campaign.daily_cap or 0,
            ),
        ]
        if campaign_text:
            parts += ["== " + gettext("The campaign's letter, which each of them signed") + " ==", campaign_text]
        parts.append("== " + ngettext("%(num)d writer", "%(num)d writers", count) + " ==")
        for number, one in enumerate(writers, start=1):
            who = f"{one.name} ({one.place})" if one.place else one.name
            words = one.words or gettext("(the campaign's letter, without words of their own)")
            parts.append(f"{number}. {who}\n{words}")
        footer = [
            "-- ",
            gettext("These letters were written via the campaign “%(campaign)s”: %(url)s")
            % {"campaign": campaign_title, "url": public_url("campaigns.show", slug=campaign.slug)},
            gettext(
                "Each writer confirmed their e-mail address. Replying to this e-mail reaches the campaign, which "
                "records your answer for each of these letters."
            ),
        ]
    outbox_campaign = compose.Campaign(campaign.id, campaign_title, "", campaign.contact)
    footer += compose.campaign_lines(to, outbox_campaign, language)
    return subject, "\n\n".join(parts) + "\n\n" + "\n".join(footer)


def _tell_writer(letter: Letter, campaign: Campaign, count: int, now: datetime) -> None:
    """The writer's notice (never held by office hours): their letter goes in today's digest, in full."""
    submission = letter.submission
    language = submission.page_language
    with force_locale(language):
        subject = gettext("Your letter to %(name)s goes in today's digest", name=letter.recipient_name)
        body = "\n\n".join(
            [
                gettext("Hello %(name)s,", name=submission.name),
                gettext(
                    "%(member)s has already received the day's %(cap)d separate letters from the campaign "
                    "“%(title)s”. So that their inbox is not flooded, your letter goes to them today in one digest "
                    "with the letters of %(others)d other writers. Your own words are in it in full.",
                    member=letter.recipient_name,
                    cap=campaign.daily_cap or 0,
                    title=title(campaign, language),
                    others=count - 1,
                ),
                gettext("You can follow your letters here: %(link)s")
                % {"link": public_url("campaigns.confirm", token=tokens.confirmation(submission.id))},
            ]
        )
    compose.enqueue(
        NOTICE,
        compose.Recipient(submission.name, submission.supporter.email),
        subject,
        body,
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
