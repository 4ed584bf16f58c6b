"""A gentle check of the supporter's own words: written in another language than the letter, the members may not
read them. A small, honest heuristic (common short words and letters only some alphabets have), never a block.

Only what the supporter added counts (paragraphs that are not the campaign's), and only when there is enough of it
to tell: a name or a short line in Turkish is not worth a warning."""

import re

from flask_babel import lazy_gettext


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short words that are common in one language and rare in the others (as whole words).
COMMON_WORDS = {
    "nl": _words("de het een en van ik dat is niet op te in voor met zijn wij u uw mijn ook maar om als er aan bij"),
    "en": _words("the and of to is that i for it with my we you this are not be on as have your our"),
    "tr": _words("ve bir bu da de için ile ben çok ama gibi olan var değil daha ne sizin benim biz bizim şey"),
    "az": _words("və bir bu da də üçün ilə mən çox amma kimi olan var deyil daha nə sizin mənim biz bizim"),
}
# Letters that say a lot: ə is Azerbaijani's own; ı, ğ and ş are Turkish and Azerbaijani, never Dutch or English.
TELLING_LETTERS = {"az": "əƏ", "tr": "ıİğĞşŞ"}
OTHER_SCRIPTS = re.compile(r"[\u0400-\u04ff\u0530-\u058f\u0590-\u05ff\u0600-\u06ff]")  # Cyrillic, Armenian, ...
WORD = re.compile(r"[^\W\d_]+")
MIN_WORDS = 6

MISMATCH = {
    "nl": lazy_gettext(
        "Your own words seem not to be in Dutch. You may write in any language, but the members receive the letter "
        "in Dutch and may not understand them: perhaps add a sentence in Dutch."
    ),
    "en": lazy_gettext(
        "Your own words seem not to be in English. You may write in any language, but the members receive the "
        "letter in English and may not understand them: perhaps add a sentence in English."
    ),
}


def own_words(body: str, template_body: str) -> str:
    """The paragraphs of the letter that are not the campaign's own (the supporter's additions and rewrites)."""
    campaign = {" ".join(part.split()) for part in template_body.split("\n\n")}
    return "\n\n".join(part for part in body.split("\n\n") if " ".join(part.split()) not in campaign)


def scores(text: str) -> dict[str, int] | None:
    """How much `text` looks like each language (common words, telling letters; "other" for another script), or
    None when there are too few words to tell."""
    words = [word.casefold() for word in WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return None
    found = {code: sum(word in common for word in words) for code, common in COMMON_WORDS.items()}
    found["other"] = len(OTHER_SCRIPTS.findall(text)) // 3
    turkic = sum(ch in TELLING_LETTERS["tr"] for ch in text)
    found["tr"] += 2 * turkic
    found["az"] += 2 * turkic + 2 * sum(ch in TELLING_LETTERS["az"] for ch in text)  # ı, ğ, ş are Azerbaijani too
    return found


def guess(text: str) -> str | None:
    """The language `text` is most likely in ("nl", "en", "tr", "az", "other"), or None when it cannot tell."""
    found = scores(text)
    if not found:
        return None
    best = max(found, key=lambda code: found[code])
    if found[best] < 2 or sorted(found.values())[-2] == found[best]:
        return None
    return best


def mismatch_warning(body: str, template_body: str, letter_language: str) -> str | None:
    """A gentle note when the supporter's own words seem to be in another language than the letter's, else None."""
    found = scores(own_words(body, template_body))
    if not found or letter_language not in MISMATCH:
        return None
    best = max(found.values())
    if best < 3 or found[letter_language] * 2 >= best:  # mostly the letter's language, or too little to tell
        return None
    return str(MISMATCH[letter_language])
