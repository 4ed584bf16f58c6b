"""Site-wide public pages: the home page and the language switch."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_babel import get_locale

from outreach.directory.queries import directory_counts
from outreach.i18n import LANGUAGE_COOKIE

bp = Blueprint("site", __name__)


@bp.app_context_processor
def page_language() -> dict[str, str]:
    return {"locale": str(get_locale())}


@bp.get("/")
def index() -> str:
    """What Outreach is, the live campaigns and the directory at a glance."""
    return render_template("site/index.html", counts=directory_counts())


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Switch the interface language and return to the page the visitor was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything pointing elsewhere falls back to the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@bp.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    """A page that does not exist, explained in the visitor's language."""
    return render_template("site/error.html", code=404), 404
