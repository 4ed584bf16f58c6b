"""Dutch names: how a member is addressed, displayed, sorted and found."""

import re
import unicodedata

from outreach.i18n import page_language

# Letters that Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "ə": "e",
        "Ə": "e",
    }
)
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
# In a search an apostrophe is no letter: 't Hart is found as "t hart" and "hart", d'Ancona as "dancona" and
# "ancona", and the typographic apostrophe of a phone's keyboard finds the typewriter one.
_NO_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘`´ʼ", None))
# Azerbaijani ə is written "a" in most transliterations (Məmmədova: Mammadova) and "e" in Turkish ones (Memmedova).
_SCHWA = str.maketrans({"ə": "a", "Ə": "a"})

TITLES = {"man": "heer", "vrouw": "mevrouw"}
UNKNOWN_TITLE = "heer/mevrouw"


def fold(text: str | None) -> str:
    """Lower-case `text` without accents or apostrophes, so that 'yesilgoz' matches 'Yeşilgöz', 'memmedova'
    'Məmmədova' and 't hart' "'t Hart" (ə→e, ı→i, ş→s, ç→c, ğ→g, ö→o, ü→u, é→e, ...)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_NO_APOSTROPHES)).strip()


def search_key(
    first_name: str | None, given_names: str | None, initials: str | None, prefix: str | None, surname: str | None
) -> str:
    """What a member is found by: every part of their name folded, the surname also joined to an elided prefix
    (d'Ancona: 'dancona'), and for a name with ə also the spelling with "a" (both 'mammadova' and 'memmedova' find
    'Məmmədova')."""
    parts = (first_name, given_names, initials, prefix, surname, surname_with_prefix(prefix, surname))
    text = " ".join(part or "" for part in parts)
    key = fold(text)
    if "ə" in text.casefold():
        key += " " + fold(text.translate(_SCHWA))
    return key


def _clean(part: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", (part or "").translate(_APOSTROPHES))).strip()


def _join(prefix: str, surname: str) -> str:
    # An elided prefix (d', l') is written against the surname: d'Ancona.
    if not prefix:
        return surname
    return prefix + surname if prefix.endswith("'") else f"{prefix} {surname}"


def surname_with_prefix(prefix: str | None, surname: str | None) -> str:
    """The surname as written after a first name: 'van der Lee', 'in 't Veld', 'd'Ancona'."""
    return _join(_clean(prefix).lower(), _clean(surname))


def surname_standing_alone(prefix: str | None, surname: str | None) -> str:
    """The surname as written with nothing before it: 'Van der Lee', 'In 't Veld', but ''t Hart'.

    Only the first word of the prefix is capitalised, and a prefix that opens with an apostrophe stays lower case
    (Onze Taal; Taaladvies vraag 304).
    """
    prefix = _clean(prefix).lower()
    if prefix and not prefix.startswith("'"):
        prefix = prefix[0].upper() + prefix[1:]
    return _join(prefix, _clean(surname))


def full_name(first_name: str | None, prefix: str | None, surname: str | None) -> str:
    """A member's name as shown on pages and in letters: 'Lucas van Dijk'."""
    return " ".join(part for part in (_clean(first_name), surname_with_prefix(prefix, surname)) if part)


def salutation(gender: str | None, prefix: str | None, surname: str | None, override: str | None = None) -> str:
    """The Dutch salutation of a letter to a member: 'Geachte heer Van der Lee,'.

    No initials or titles; an unknown gender gives 'Geachte heer/mevrouw ...'. An organiser's override wins
    as written (a closing comma is added when missing).
    """
    if override and override.strip():
        text = _clean(override)
        return text if text.endswith(",") else text + ","
    title = TITLES.get(_clean(gender).lower(), UNKNOWN_TITLE)
    name = surname_standing_alone(prefix, surname)
    return f"Geachte {title} {name}," if name else f"Geachte {title},"


ENGLISH_TITLES = {"man": "Mr", "vrouw": "Ms"}


def english_salutation(gender: str | None, prefix: str | None, surname: str | None, override: str | None = None) -> str:
    """The salutation of a letter in English: 'Dear Ms Van der Lee,'. A member with an organiser's (Dutch) override
    is addressed by full surname without a title, since the override usually exists because the title is wrong."""
    name = surname_standing_alone(prefix, surname)
    title = ENGLISH_TITLES.get(_clean(gender).lower())
    if (override and override.strip()) or not title:
        return f"Dear {name}," if name else "Dear Sir or Madam,"
    return f"Dear {title} {name},"


def local_name(entity: object) -> str:
    """A party's or committee's name in the visitor's language, Dutch when there is no translation."""
    if page_language() == "en" and getattr(entity, "name_en", None):
        return entity.name_en  # type: ignore[attr-defined]
    return entity.name_nl  # type: ignore[attr-defined]
