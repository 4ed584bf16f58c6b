"""Which language a visitor reads: their choice from the language switch, else the best their browser asks for, else
Dutch. Organiser pages speak only the organisers' languages (Dutch and English)."""

from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale
from werkzeug.wrappers import Response

LANGUAGE_COOKIE = "lang"
ADMIN_PREFIX = "/admin"


def select_locale() -> str:
    """The visitor's language: chosen on the switch (a cookie), else the best match of their browser's
    Accept-Language, else the default (Dutch). On organiser pages a choice outside ADMIN_LANGUAGES (a supporter's
    Turkish, say) gives way to the browser's best organiser language, else the default.

    Commands (no request) speak English, like the rest of their output.
    """
    if not has_request_context():
        return "en"
    offered = page_languages()
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered) or current_app.config["BABEL_DEFAULT_LOCALE"]


def page_languages() -> list[str]:
    """The languages this page can be read in: every interface language, or on organiser pages the organisers'."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context() and is_admin_page():
        return [code for code in current_app.config["ADMIN_LANGUAGES"] if code in languages]
    return list(languages)


DOTTED_CAPITAL_I = {"tr", "az"}


def is_admin_page() -> bool:
    return request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in itself ("Türkçe"), as a reader looks for it on the switch, or in another language
    ("Felemenkçe", Dutch in Turkish)."""
    shown_in = in_language or code
    name = Locale.parse(code).get_display_name(shown_in) or code
    return capitalise(name, shown_in)


def capitalise(text: str, language: str) -> str:
    """The first letter as a capital the way the language writes it: Turkish and Azerbaijani "i" becomes "İ"."""
    if language in DOTTED_CAPITAL_I and text[:1] == "i":
        return "İ" + text[1:]
    return text[:1].upper() + text[1:]


def og_locale(code: str) -> str:
    """The Open Graph locale of a page language: nl_NL, en_GB, tr_TR, az_AZ."""
    return {"en": "en_GB"}.get(code, f"{code}_{code.upper()}")


def page_language() -> str:
    """The language the current page (or the e-mail it sends) is in: "nl", "en", "tr", …"""
    return str(get_locale())


def number(value: float | None, decimals: int = 0) -> str:
    """A number as the reader writes it: "1.234,5" in Dutch, "1,234.5" in English; a dash for none."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""))


def percent(value: float | None, decimals: int = 0) -> str:
    """A share (0.25) as the reader writes a percentage: "25 %", "12,5 %", in Turkish "%25"; a dash for none."""
    if value is None:
        return "–"
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    sign_first = Locale.parse(str(get_locale())).percent_formats[None].pattern.startswith("%")
    return format_percent(value, format="%" + digits if sign_first else digits + " %")


def _vary_on_language(response: Response) -> Response:
    """A page chosen by Accept-Language must not be served from a shared cache to a reader of another language."""
    if has_request_context() and LANGUAGE_COOKIE not in request.cookies:
        response.vary.add("Accept-Language")
    return response


def register_formats(app: Flask) -> None:
    """Numbers through `number` and `percent`; times through Flask-Babel's `datetimeformat` (Europe/Amsterdam);
    the language switch's names and the language of every page."""
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_global(language_name, "language_name")
    app.add_template_global(og_locale, "og_locale")
    app.add_template_global(page_languages, "page_languages")
    app.after_request(_vary_on_language)
