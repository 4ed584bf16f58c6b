"""Filling a letter's placeholders, and measuring how much of it a supporter wrote themselves.

Placeholders are a fixed list filled by one regular-expression pass: organiser- and supporter-written text is never
rendered as a template or given to `str.format`, so `{{7*7}}` or `{supporter_name.__class__}` reach the MP literally.

Similarity follows WriteToThem: the text is lower-cased and stripped of everything but letters and digits, every
32-character substring is hashed (CRC-32) and the hashes whose lowest four bits are zero (about one in sixteen) form
the text's fingerprint set; two texts compare by the Dice coefficient of their sets. Fingerprints do not depend on
where a passage sits, so moving paragraphs around does not count as writing.
"""

import re
import zlib
from collections.abc import Mapping
from functools import lru_cache

from flask_babel import lazy_gettext

PLACEHOLDERS = {
    "salutation": lazy_gettext("the salutation for each recipient, e.g. “Geachte heer Van Dijk,”"),
    "mp_name": lazy_gettext("the recipient's name"),
    "mp_party": lazy_gettext("the recipient's party"),
    "supporter_name": lazy_gettext("the supporter's name"),
    "supporter_city": lazy_gettext("the supporter's city or postcode (may be empty)"),
    "campaign_title": lazy_gettext("the campaign's title"),
    "debate_title": lazy_gettext("the subject of the debate the campaign writes before (see its agenda)"),
    "debate_date": lazy_gettext("the date of that debate"),
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SHINGLE = 32


def unknown_placeholders(text: str) -> list[str]:
    """Names in {braces} that look like placeholders but are not on the list (organisers are told)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def unknown_placeholders_problem(text: str) -> str | None:
    """What organisers are told when `text` holds placeholders that are not on the list, or None."""
    unknown = unknown_placeholders(text)
    if not unknown:
        return None
    return str(
        lazy_gettext(
            "Unknown placeholder: %(names)s. Known ones: %(known)s.",
            names=", ".join(f"{{{name}}}" for name in unknown),
            known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        )
    )


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders by their values, in one pass (a value is never filled again). A line that held
    only placeholders that came out empty (no city given) disappears rather than leaving a blank line."""
    lines = []
    for line in text.split("\n"):
        filled = PLACEHOLDER.sub(
            lambda m: values.get(m.group(1), m.group(0)) if m.group(1) in PLACEHOLDERS else m.group(0), line
        )
        if not filled.strip() and line.strip() and not PLACEHOLDER.sub("", line).strip():
            continue
        lines.append(filled)
    return "\n".join(lines)


def fingerprints(text: str) -> set[int]:
    """The text's fingerprint set (see the module's docstring)."""
    letters = "".join(ch for ch in text.casefold() if ch.isalnum())
    found = set()
    for start in range(len(letters) - SHINGLE + 1):
        value = zlib.crc32(letters[start : start + SHINGLE].encode())
        if value & 0xF == 0:
            found.add(value)
    return found


def dice(a: set[int], b: set[int]) -> float:
    """Dice coefficient of two fingerprint sets: 1.0 identical, 0.0 nothing in common (two empty sets: 1.0)."""
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def compare_with_template(text: str, template: str) -> tuple[float, set[int]]:
    """(how much of the letter is the supporter's own: 0.0 for the campaign's text unchanged, 1.0 for all new;
    the fingerprints of what they wrote themselves, the letter's minus the campaign text's)."""
    if text == template:  # the letter page shown as the campaign wrote it: nothing to compare
        return 0.0, set()
    mine, campaign = fingerprints(text), template_fingerprints(template)
    return round(1.0 - dice(mine, campaign), 2), mine - campaign


@lru_cache(maxsize=64)
def template_fingerprints(template: str) -> frozenset[int]:
    """A campaign text's fingerprints, computed once per process for each campaign, language and edit (the text is
    the key: an edited campaign text is a new key), not on every letter posted."""
    return frozenset(fingerprints(template))
