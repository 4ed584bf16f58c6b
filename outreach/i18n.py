"""Which language a visitor reads: their choice from the language switch, else Dutch."""

from flask import current_app, has_request_context, request

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
