"""Error pages in the visitor's language: any HTTP error, and a database too busy to answer. The site registers
them for every request; a room that answers an error its own way for one page falls back on them for the rest."""

import logging

from flask import render_template
from flask_babel import lazy_gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from outreach.extensions import db

log = logging.getLogger(__name__)

ERRORS = {
    400: (lazy_gettext("Bad request"), lazy_gettext("The page could not understand this request.")),
    403: (lazy_gettext("Not allowed"), lazy_gettext("You do not have access to this page.")),
    404: (
        lazy_gettext("Page not found"),
        lazy_gettext(
            "There is no page at this address. It may have moved, or the member or committee may no longer "
            "be in the directory."
        ),
    ),
    405: (lazy_gettext("Not possible here"), lazy_gettext("This page cannot be used in this way.")),
    410: (
        lazy_gettext("Link no longer valid"),
        lazy_gettext(
            "This link is no longer valid: links in our e-mails work for a limited time. If you still want to send "
            "your letter, please write it again."
        ),
    ),
    413: (lazy_gettext("Too large"), lazy_gettext("What you sent is too large.")),
    429: (
        lazy_gettext("Too many requests"),
        lazy_gettext("You have made too many requests in a short time. Please wait a moment and try again."),
    ),
    503: (
        lazy_gettext("Very busy"),
        lazy_gettext("The site is very busy right now and nothing was saved. Please try again in a moment."),
    ),
    500: (
        lazy_gettext("Something went wrong"),
        lazy_gettext("Something went wrong on our side. Please try again in a little while."),
    ),
}


def http_error(error: HTTPException) -> tuple[str, int]:
    """Any HTTP error, explained in the visitor's language instead of the server's default page."""
    code = error.code or 500
    title, explanation = ERRORS.get(code, ERRORS[500] if code >= 500 else ERRORS[400])
    explanation = getattr(error, "explanation", explanation)  # a refusal that can say more than its status
    return render_template("site/error.html", title=title, explanation=explanation), code


def database_unavailable(error: OperationalError) -> tuple[str, int, dict[str, str]]:
    """The database is locked by another writer for longer than we wait, or unreachable: nothing was written (the
    transaction is rolled back), and the visitor is asked to try again instead of seeing a server error."""
    db.session.rollback()
    log.warning("database unavailable: %s", error.orig)
    title, explanation = ERRORS[503]
    return render_template("site/error.html", title=title, explanation=explanation), 503, {"Retry-After": "5"}
