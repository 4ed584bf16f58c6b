"""Organiser pages: log in (password, then the second factor) and out, accounts and the audit log."""

import hmac
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from outreach.accounts import bp, passwords, secondfactor
from outreach.accounts.access import audit, before_second_factor, public, requires_role
from outreach.accounts.models import ROLES, Account, AuditEntry
from outreach.database import begin_write, utcnow
from outreach.extensions import db, limiter, login_manager
from outreach.labels import ROLES as ROLE_LABELS
from outreach.urls import parse_id, safe_next
from outreach.validation import email_address

login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"


# Between the password and the second-factor code: who is logging in, and since when (not yet logged in).
PENDING = "login_pending"
CODE_SECONDS = 300


@login_manager.user_loader
def load_account(login_id: str) -> Account | None:
    """The account of a session, while the session token in it is the account's current one."""
    account_id, _, token = login_id.partition(":")
    number = parse_id(account_id)
    if number is None or not token:
        return None
    account = db.session.get(Account, number)
    if account is None or not hmac.compare_digest(account.session_token.encode(), token.encode()):
        return None
    return account


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
            if account.has_second_factor:
                session.clear()
                session[PENDING] = {
                    "id": account.id,
                    "token": account.session_token,
                    "since": int(time.time()),
                    "next": request.args.get("next"),
                }
                return redirect(url_for(".login_code"))
            return _logged_in(account, request.args.get("next"))
        flash(lazy_gettext("The e-mail address or the password is not right."), "error")
    return render_template("accounts/login.html", form=form)


def _logged_in(account: Account, next_url: str | None, notice: str | None = None) -> Response:
    session.clear()  # a new session for the logged-in organiser
    login_user(account)
    if notice:
        flash(notice, "info")
    account.last_login_at = utcnow()
    audit("log in", account)
    db.session.commit()
    return redirect(safe_next(next_url, url_for("home.index")))


class CodeForm(FlaskForm):
    code = StringField(
        lazy_gettext("Code"),
        validators=[DataRequired(lazy_gettext("Type the code from your app.")), Length(max=40)],
        # No numeric keyboard: recovery codes have letters.
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


def _pending_account() -> Account | None:
    """The account whose password was just right, while that was less than five minutes ago."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("id"), int):
        return None
    if not isinstance(pending.get("since"), int) or time.time() - pending["since"] > CODE_SECONDS:
        return None
    account = db.session.get(Account, pending["id"])
    if account is None or not account.active or not account.has_second_factor:
        return None
    return account if hmac.compare_digest(account.session_token, str(pending.get("token"))) else None


def _code_account_key() -> str:
    pending = session.get(PENDING)
    return "login-code:" + str(pending.get("id") if isinstance(pending, dict) else "-")


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_code_account_key, methods=["POST"])
def login_code() -> str | Response | tuple[str, int]:
    """The second step of logging in: a code from the authenticator app, or one of the recovery codes."""
    account = _pending_account()
    if account is None:
        session.pop(PENDING, None)
        flash(lazy_gettext("Log in again: the time for the code is over."), "error")
        return redirect(url_for(".login"))
    form = CodeForm()
    if request.method == "POST":
        code = form.code.data or ""
        if form.validate():
            begin_write()  # a code is checked and used up under the lock: it works once, also sent twice at once
            if secondfactor.looks_like_recovery_code(code):
                if secondfactor.use_recovery_code(account, code):
                    left = secondfactor.recovery_codes_left(account)
                    audit("use recovery code", account, f"{left} left", by=account)  # labels.AUDIT_DETAILS
                    notice = lazy_gettext("Recovery code used; %(n)d left. Make new ones on My account.", n=left)
                    return _logged_in(account, session.get(PENDING, {}).get("next"), notice)
            elif secondfactor.use_totp(account, code):
                return _logged_in(account, session.get(PENDING, {}).get("next"))
            audit("failed second-factor code", account, by=account)
            db.session.commit()
            form.code.errors.append(lazy_gettext("This code is not right, or it was used already."))
        return render_template("accounts/code.html", form=form), 400
    return render_template("accounts/code.html", form=form)


@bp.post("/logout")
@before_second_factor
def logout() -> Response:
    """Log out and forget the session."""
    audit("log out", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(lazy_gettext("You are logged out."), "info")
    return redirect(url_for(".login"))


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
        begin_write()  # whether the address is taken is read under the lock
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


@bp.post("/accounts/<int:account_id>/second-factor")
@requires_role("admin")
def reset_second_factor(account_id: int) -> Response:
    """Remove another organiser's second factor (a lost phone, no recovery codes left): they set up a new one at
    their next login, when their role requires one; their sessions end."""
    account = db.get_or_404(Account, account_id)
    if account.id == current_user.id:
        flash(lazy_gettext("Change your own second factor on My account."), "error")
    elif account.has_second_factor:
        secondfactor.remove(account)
        account.end_sessions()
        audit("reset second factor", account)
        db.session.commit()
        flash(lazy_gettext("The second factor of %(email)s is removed.", email=account.email), "info")
    return redirect(url_for(".accounts"))


@bp.get("/audit")
@requires_role("admin")
def audit_log() -> str:
    """The most recent organiser actions."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)).all()
    return render_template("accounts/audit.html", entries=entries)
