"""Site-wide public pages: the home page, the language switch, and the error pages every room's requests end in."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_babel import get_locale
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from outreach import errors
from outreach.campaigns.queries import live_campaigns
from outreach.directory.queries import directory_counts
from outreach.i18n import LANGUAGE_COOKIE
from outreach.urls import safe_next

bp = Blueprint("site", __name__)


@bp.app_context_processor
def page_language() -> dict[str, str]:
    return {"locale": str(get_locale())}


@bp.get("/")
def index() -> str:
    """What Outreach is, the live campaigns and the directory at a glance."""
    return render_template("site/index.html", counts=directory_counts(), campaigns=live_campaigns())


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Switch the interface language and return to the page the visitor was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


bp.app_errorhandler(HTTPException)(errors.http_error)
bp.app_errorhandler(OperationalError)(errors.database_unavailable)
