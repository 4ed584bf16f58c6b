"""Who may open organiser pages: one check, installed on every blueprint that serves /admin/ pages."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from outreach.database import begin_write
from outreach.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


def requires_role(role: str) -> Callable[[F], F]:
    """Mark a view as needing a higher role than its blueprint's (e.g. `admin` for account management)."""

    def mark(view: F) -> F:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def public[V: Callable[..., Any]](view: V) -> V:
    """Mark an /admin/ view that anyone may open (the login page)."""
    view.required_role = None  # type: ignore[attr-defined]
    return view


def protect(bp: Blueprint, role: str = "organiser") -> None:
    """Every view of `bp` needs a logged-in account with at least `role`, unless marked otherwise."""

    @bp.before_request
    def check_access() -> Response | None:
        view = current_app.view_functions.get(request.endpoint or "")
        needed = getattr(view, "required_role", role)
        if needed is None:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
        if not current_user.has_role(needed):
            abort(403)
        return None


def audit(action: str, record: object | None = None, detail: str | None = None) -> None:
    """Log an organiser's action on a record (the caller commits). Never pass letter contents as detail. Logging is
    a write, also on a page that only read until here (a GET): the transaction becomes a write transaction first."""
    from outreach.accounts.models import AuditEntry

    begin_write()
    db.session.add(
        AuditEntry(
            account_id=current_user.id if current_user.is_authenticated else None,
            account_email=current_user.email if current_user.is_authenticated else "-",
            action=action,
            record_type=type(record).__name__ if record is not None else None,
            record_id=str(getattr(record, "id", "")) if record is not None else None,
            detail=(detail or None) and detail[:500],
        )
    )
