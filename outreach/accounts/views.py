"""Organiser pages: log in and out, the admin home, accounts and the audit log."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from outreach.accounts import bp, passwords
from outreach.accounts.access import audit, public, requires_role
from outreach.accounts.models import ROLES, Account, AuditEntry
from outreach.database import utcnow
from outreach.directory.models import SyncRun
from outreach.directory.queries import directory_counts
from outreach.extensions import db, limiter, login_manager
from outreach.labels import ROLES as ROLE_LABELS
from outreach.urls import safe_next
from outreach.validation import email_address

login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    return db.session.get(Account, int(account_id)) if account_id.isdigit() else None


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=256)])


def _login_account_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_login_account_key, methods=["POST"])
def login() -> str | Response:
    """Log an organiser in; a wrong address and a wrong password get the same answer, in the same time."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        account = db.session.scalar(select(Account).where(Account.email == email))
        ok = passwords.verify(account.password_hash if account else None, form.password.data)
        if ok and account is not None and account.active:
            session.clear()  # a new session for the logged-in organiser
            login_user(account)
            account.last_login_at = utcnow()
            audit("log in", account)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) if request.args.get("next") else url_for(".home"))
        flash(lazy_gettext("The e-mail address or the password is not right."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Log out and forget the session."""
    audit("log out", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(lazy_gettext("You are logged out."), "info")
    return redirect(url_for(".login"))


@bp.get("/")
def home() -> str:
    """The campaign's pulse: per live campaign letters today and this week and what waits for someone; the
    outbox, replies to assign, the directory and its last sync; and what the site still says nothing about."""
    # Imported here: those rooms use accounts' access checks, so importing them at the top would be circular.
    from outreach.organisation import settings
    from outreach.outbox import queue
    from outreach.replies.models import Reply
    from outreach.reports.pulse import pulse

    now = utcnow()
    last_sync = db.session.scalar(select(SyncRun).order_by(SyncRun.id.desc()).limit(1))
    return render_template(
        "accounts/home.html",
        counts=directory_counts(),
        last_sync=last_sync,
        campaigns=pulse(now),
        outbox=queue.counts(),
        control=queue.control_row(),
        to_assign=db.session.scalar(select(func.count(Reply.id)).where(Reply.handled.is_(False))) or 0,
        missing=settings.current().missing(),
    )


class AccountForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254), email_address])
    role = SelectField(lazy_gettext("Role"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])


@bp.route("/accounts", methods=["GET", "POST"])
@requires_role("admin")
def accounts() -> str:
    """Admins list the accounts and add one; the new organiser's password is shown once."""
    form = AccountForm()
    new_password = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(func.count(Account.id)).where(Account.email == email)):
            form.email.errors.append(lazy_gettext("There is already an account for this address."))
        else:
            new_password = passwords.generate_password()
            account = Account(email=email, role=form.role.data, password_hash=passwords.hash_password(new_password))
            db.session.add(account)
            db.session.flush()
            audit("add account", account, f"role {account.role}")
            db.session.commit()
            flash(lazy_gettext("Account %(email)s added.", email=email), "info")
    rows = db.session.scalars(select(Account).order_by(Account.email)).all()
    return render_template("accounts/accounts.html", form=form, accounts=rows, new_password=new_password)


@bp.post("/accounts/<int:account_id>/active")
@requires_role("admin")
def toggle_active(account_id: int) -> Response:
    """Switch an account off (or on again); admins cannot switch off their own."""
    account = db.get_or_404(Account, account_id)
    if account.id == current_user.id:
        flash(lazy_gettext("You cannot switch off your own account."), "error")
    else:
        account.active = not account.active
        audit("activate account" if account.active else "deactivate account", account)
        db.session.commit()
    return redirect(url_for(".accounts"))


@bp.get("/audit")
@requires_role("admin")
def audit_log() -> str:
    """The most recent organiser actions."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)).all()
    return render_template("accounts/audit.html", entries=entries)
