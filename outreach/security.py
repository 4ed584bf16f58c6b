"""Security headers on every response; pages that may show personal data are never cached; files only where a form
asks for one."""

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
)
View = TypeVar("View", bound=Callable[..., object])


class UnexpectedFile(BadRequest):
    """A file sent where the form expects typed text (a browser never does this; a script or a mistake does)."""

    explanation = lazy_gettext(
        "This form takes typed text, not files. Go back, type or paste your text into the form and send it again."
    )


def accepts_files(*fields: str) -> Callable[[View], View]:
    """Mark a view whose form uploads files in `fields`; a file anywhere else, on any page, is refused."""

    def mark(view: View) -> View:
        view.file_fields = frozenset(fields)  # type: ignore[attr-defined]
        return view

    return mark


def refuse_unexpected_files() -> None:
    """Before every view: a file part in a field that expects text is a 400, before any form reads it as text."""
    if request.mimetype != "multipart/form-data":
        return  # only multipart bodies carry files; parsing any other body here would consume a raw one
    view = current_app.view_functions.get(request.endpoint or "")
    allowed = getattr(view, "file_fields", frozenset())
    if any(name not in allowed for name in request.files):
        raise UnexpectedFile()


def init_app(app: Flask) -> None:
    """Add the headers to every response of `app`; trust the configured number of reverse proxies."""
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        # Behind nginx/Caddy the client's address is in X-Forwarded-For; per-IP login limits need it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    app.before_request(refuse_unexpected_files)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # Only the embed route names the origins that may frame it (request.frame_ancestors); every other page, and
        # an embed whose campaign lists none, may be framed nowhere.
        ancestors = getattr(request, "frame_ancestors", None) or []
        headers.setdefault(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(ancestors=" ".join(ancestors) or "'none'")
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if not ancestors:  # X-Frame-Options cannot name origins; browsers that know frame-ancestors ignore it anyway
            headers.setdefault("X-Frame-Options", "DENY")
        # A page reached by a link with a token in it must not hand that link on to another site.
        token_page = getattr(request, "token_page", False)
        headers.setdefault("Referrer-Policy", "no-referrer" if token_page else "strict-origin-when-cross-origin")
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/admin") or getattr(request, "personal_data", False):
            headers["Cache-Control"] = "no-store"
        return response
