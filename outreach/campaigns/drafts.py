"""A letter being written: the lines the supporter does not type (the salutation above, their name below, filled in
for each recipient) and the draft kept on the server while they change recipients or language, so that no word
they typed is lost, with or without JavaScript."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, session
from flask_babel import force_locale, gettext
from sqlalchemy import delete, select

from outreach.campaigns.letters import PLACEHOLDER, PLACEHOLDERS, fill
from outreach.campaigns.models import Campaign, LetterDraft
from outreach.extensions import db

SESSION_KEY = "letter_drafts"
ONLY_PLACEHOLDERS = re.compile(r"^\s*(?:\{[a-z_]+\}\s*)+$")
GENERIC_SALUTATION = {"nl": "Geachte heer/mevrouw {name},", "en": "Dear Mr/Ms {name},"}


@dataclass
class Frame:
    """A campaign letter cut in three: the locked lines above, the text the supporter edits, the locked lines below
    (each with the blank lines that separate it from the text)."""

    head: str
    head_gap: str
    text: str
    tail_gap: str
    tail: str


def _locked(line: str) -> bool:
    return bool(ONLY_PLACEHOLDERS.match(line)) and all(name in PLACEHOLDERS for name in PLACEHOLDER.findall(line))


def frame(body: str) -> Frame:
    """Cut a campaign's letter: lines holding nothing but placeholders at its start and end are locked."""
    lines = body.replace("\r\n", "\n").split("\n")
    start = 0
    while start < len(lines) and _locked(lines[start]):
        start += 1
    end = len(lines)
    while end > start and _locked(lines[end - 1]):
        end -= 1
    middle = lines[start:end]
    leading = next((i for i, line in enumerate(middle) if line.strip()), len(middle))
    trailing = next((i for i, line in enumerate(reversed(middle)) if line.strip()), len(middle))
    text = "\n".join(middle[leading : len(middle) - trailing])
    head, tail = "\n".join(lines[:start]), "\n".join(lines[end:])
    return Frame(head, "\n" * (leading + 1) if head else "", text, "\n" * (trailing + 1) if tail else "", tail)


def assemble(letter_frame: Frame, text: str) -> str:
    """The whole letter from what the supporter typed: the locked lines put back, unless the text already places
    those placeholders itself (a letter pasted whole, or posted by an older page)."""
    typed = set(PLACEHOLDER.findall(text))
    if letter_frame.head and not typed & set(PLACEHOLDER.findall(letter_frame.head)):
        text = letter_frame.head + letter_frame.head_gap + text
    if letter_frame.tail and not typed & set(PLACEHOLDER.findall(letter_frame.tail)):
        text = text + letter_frame.tail_gap + letter_frame.tail
    return text


def shown(lines: str, salutations: list[str], language: str, name: str, place: str | None) -> str:
    """Locked lines as the supporter sees them: the salutation of their one recipient, or a general one."""
    if len(salutations) == 1:
        salutation = salutations[0]
    else:
        with force_locale(language):
            salutation = GENERIC_SALUTATION.get(language, GENERIC_SALUTATION["nl"]).format(
                name=gettext("[member's name]")
            )
    return fill(lines, {"salutation": salutation, "supporter_name": name, "supporter_city": place or ""})


def save(campaign: Campaign, language: str, fields: dict[str, str], now: datetime) -> None:
    """Keep what the supporter typed in this campaign (the caller commits); the session holds only the key."""
    keys = dict(session.get(SESSION_KEY) or {})
    draft = _find(keys.get(str(campaign.id)))
    if draft is None or draft.campaign_id != campaign.id:
        draft = LetterDraft(key=secrets.token_urlsafe(18)[:32], campaign_id=campaign.id)
        db.session.add(draft)
    draft.language = language
    for name in ("subject", "body", "name", "email", "place"):
        setattr(draft, name, fields.get(name) or "")
    draft.updated_at = now
    keys[str(campaign.id)] = draft.key
    session[SESSION_KEY] = keys


def load(campaign: Campaign) -> LetterDraft | None:
    """The draft this visitor keeps in this campaign, if any."""
    draft = _find((session.get(SESSION_KEY) or {}).get(str(campaign.id)))
    return draft if draft is not None and draft.campaign_id == campaign.id else None


def discard(campaign: Campaign) -> None:
    """The letter was sent: its draft goes (the caller commits)."""
    keys = dict(session.get(SESSION_KEY) or {})
    draft = _find(keys.pop(str(campaign.id), None))
    if draft is not None:
        db.session.delete(draft)
    session[SESSION_KEY] = keys


def expire(now: datetime) -> int:
    """Delete drafts nobody came back to (the caller commits). Returns how many."""
    before = now - timedelta(seconds=current_app.config["DRAFT_KEEP_SECONDS"])
    return db.session.execute(delete(LetterDraft).where(LetterDraft.updated_at < before)).rowcount or 0


def _find(key: object) -> LetterDraft | None:
    if not isinstance(key, str) or not key:
        return None
    return db.session.scalar(select(LetterDraft).where(LetterDraft.key == key))
