"""Which language a visitor reads: their choice from the language switch, else Dutch."""

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The visitor's chosen language if it is one we offer, otherwise the default (Dutch).

    Commands (no request) speak English, like the rest of their output.
    """
    if not has_request_context():
        return "en"
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def page_language() -> str:
    """The language the current page (or the e-mail it sends) is in: "nl" or "en"."""
    return str(get_locale())


def number(value: float | None, decimals: int = 0) -> str:
    """A number as the reader writes it: "1.234,5" in Dutch, "1,234.5" in English; a dash for none."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""))


def percent(value: float | None, decimals: int = 0) -> str:
    """A share (0.25) as the reader writes a percentage: "25 %", "12,5 %"; a dash for none."""
    if value is None:
        return "–"
    return format_percent(value, format="#,##0" + ("." + "0" * decimals if decimals else "") + " %")


def register_formats(app: Flask) -> None:
    """Numbers through `number` and `percent`; times through Flask-Babel's `datetimeformat` (Europe/Amsterdam)."""
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
