"""Reading translations: a campaign's letter in a language its supporters read more easily (Turkish, Azerbaijani),
written by organisers and shown beside the letter as a reading aid, so that a supporter understands what they sign.
Members always receive the letter itself, in one of its letter languages (Dutch or English)."""

from flask import current_app
from flask_babel import lazy_gettext

from outreach.campaigns import letters
from outreach.campaigns.models import Campaign

# The languages a campaign's letter itself is written (and sent) in; every other interface language can only read.
LETTER_LANGUAGES = ("nl", "en")
# What a reading translation holds: the campaign page's title and introduction (optional), the letter's subject and
# text (together). Title and introduction also stand in for the Dutch ones on the pages and e-mails in its language.
FIELDS = ("title", "intro", "subject", "body")
TITLE_MAX, INTRO_MAX, SUBJECT_MAX, BODY_MAX = 200, 10000, 200, 20000
RECEIVED_IN = {
    "nl": lazy_gettext("The members receive your letter in Dutch."),
    "en": lazy_gettext("The members receive your letter in English."),
}
NOT_SENT = {
    "nl": lazy_gettext(
        "This translation helps you understand what you sign. It is not sent: the members receive the letter on this "
        "page, in Dutch, with your own changes."
    ),
    "en": lazy_gettext(
        "This translation helps you understand what you sign. It is not sent: the members receive the letter on this "
        "page, in English, with your own changes."
    ),
}


def reading_languages() -> list[str]:
    """The interface languages a campaign can carry a reading translation in: those its letter is not written in."""
    return [code for code in current_app.config["LANGUAGES"] if code not in LETTER_LANGUAGES]


def translation(campaign: Campaign, code: str) -> dict[str, str] | None:
    """The campaign's reading translation of its letter in `code` ({"subject", "body"}), or None when it has none."""
    texts = reading_text(campaign, code, "body")
    return {"subject": reading_text(campaign, code, "subject") or "", "body": texts} if texts else None


def reading_text(campaign: Campaign, code: str, field: str) -> str | None:
    """One text of the campaign's reading translation in `code` (its title, say), or None."""
    if code in LETTER_LANGUAGES:
        return None
    return ((campaign.reading or {}).get(code) or {}).get(field) or None


def placeholder_problem(translated: str, original: str) -> str | None:
    """Why a translation's placeholders do not match the letter's (each must appear, none may be added), or None."""
    wanted, found = set(letters.PLACEHOLDER.findall(original)), set(letters.PLACEHOLDER.findall(translated))
    unknown = letters.unknown_placeholders_problem(translated)
    if unknown:
        return unknown
    if wanted - found:
        return str(
            lazy_gettext(
                "The translation leaves out %(names)s: keep every placeholder of the Dutch letter.",
                names=", ".join(f"{{{name}}}" for name in sorted(wanted - found)),
            )
        )
    if found - wanted:
        return str(
            lazy_gettext(
                "The translation adds %(names)s, which the Dutch letter does not have.",
                names=", ".join(f"{{{name}}}" for name in sorted(found - wanted)),
            )
        )
    return None


def stored(
    existing: dict[str, dict[str, str]] | None, typed: dict[str, dict[str, str | None]]
) -> dict[str, dict[str, str]] | None:
    """The reading translations to keep: those typed ({code: {field: text}}; an emptied one is dropped) over the
    existing ones, whose languages the site may not offer now (they come back when it does); None when none."""
    kept = dict(existing or {})
    for code, fields in typed.items():
        kept.pop(code, None)
        texts = {field: (fields.get(field) or "").replace("\r\n", "\n").strip() for field in FIELDS}
        if any(texts.values()):
            kept[code] = {field: text for field, text in texts.items() if text}
    return kept or None
