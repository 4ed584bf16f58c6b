"""Who may open organiser pages: one check, installed on every blueprint that serves /admin/ pages."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, has_request_context, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from outreach.accounts import secondfactor
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


def before_second_factor[V: Callable[..., Any]](view: V) -> V:
    """Mark a view that an account which must still set up its second factor may open (enrolment, log out)."""
    view.before_second_factor = True  # type: ignore[attr-defined]
    return view


def protect(bp: Blueprint, role: str = "organiser") -> None:
    """Every view of `bp` needs a logged-in account with at least `role`, unless marked otherwise; an account that
    must have a second factor and has none is sent to set it up first."""

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
        if not getattr(view, "before_second_factor", False) and secondfactor.must_enrol(current_user):
            return redirect(url_for("accounts.enrol"))
        return None


def audit(action: str, record: object | None = None, detail: str | None = None, by: Any = None) -> None:
    """Log an organiser's action on a record (the caller commits). Never pass letter contents as detail. Logging is
    a write, also on a page that only read until here (a GET): the transaction becomes a write transaction first.
    `by` names the account acting when nobody is logged in yet (a reset link, a second-factor code at login)."""
    from outreach.accounts.models import AuditEntry

    begin_write()
    logged_in = has_request_context() and current_user.is_authenticated
    actor = by if by is not None else (current_user if logged_in else None)
    db.session.add(
        AuditEntry(
            account_id=actor.id if actor is not None else None,
            account_email=actor.email if actor is not None else "-",
            action=action,
            record_type=type(record).__name__ if record is not None else None,
            record_id=str(getattr(record, "id", "")) if record is not None else None,
            detail=(detail or None) and detail[:500],
        )
    )
