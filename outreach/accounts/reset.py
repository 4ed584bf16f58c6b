"""Resetting a forgotten password by e-mail: a link that works once, for an hour, and only the latest one sent.

The page answers the same whether or not an account exists for the address; only the owner of a real account's
mailbox gets a link. Asking is limited per address and per internet address."""

import hashlib
import secrets
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from werkzeug.wrappers import Response
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from outreach.accounts import bp
from outreach.accounts.access import audit, public
from outreach.accounts.models import Account
from outreach.accounts.profile import NewPasswordForm, set_password
from outreach.database import begin_write, utcnow
from outreach.extensions import client_key, db, keyed_hash, limiter
from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE
from outreach.urls import public_url
from outreach.validation import email_address


class ResetRequestForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail address of your account"),
        validators=[DataRequired(lazy_gettext("Which address is your account for?")), Length(max=254), email_address],
        render_kw={"autocomplete": "email"},
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _address_key() -> str:
    # Keyed hash: the limiter's store never holds the addresses people typed.
    return "reset:" + keyed_hash(request.form.get("email", "").strip().lower()[:254])[:24]


def _per_address() -> str:
    return current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]


def _per_ip() -> str:
    return current_app.config["PASSWORD_RESET_LIMIT_PER_IP"]


@bp.route("/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_per_ip, key_func=client_key, methods=["POST"])
@limiter.limit(_per_address, key_func=_address_key, methods=["POST"])
def request_reset() -> str | Response | tuple[str, int]:
    """Ask for a reset link by address; the answer is the same for every well-formed address."""
    form = ResetRequestForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("accounts/reset_request.html", form=form), 400
        email = form.email.data.strip().lower()
        account = db.session.scalar(select(Account).where(Account.email == email))
        if account is not None and account.active:
            send_link(account)
            db.session.commit()
        return redirect(url_for(".reset_sent"))
    return render_template("accounts/reset_request.html", form=form)


@bp.get("/password-reset/sent")
@public
def reset_sent() -> str:
    return render_template("accounts/reset_sent.html")


def send_link(account: Account) -> None:
    """Queue the e-mail with a new link; any link sent before stops working (the caller commits)."""
    token = secrets.token_urlsafe(32)
    account.reset_token_hash = _token_hash(token)
    account.reset_sent_at = utcnow()
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    text = render_email(
        "password_reset",
        language,
        site=current_app.config["PUBLIC_URL"],
        link=public_url("accounts.reset_password", token=token),
    )
    enqueue(NOTICE, Recipient(None, account.email), text.subject, text.body, language=language)
    audit("send password reset link", account, by=account)


def _account_for(token: str) -> Account:
    """The account a link is for while the link is its latest, unused and younger than an hour; 410 otherwise."""
    request.token_page = True  # type: ignore[attr-defined]
    if len(token) > 100:
        abort(410)
    account = db.session.scalar(select(Account).where(Account.reset_token_hash == _token_hash(token)))
    valid_for = timedelta(seconds=current_app.config["PASSWORD_RESET_SECONDS"])
    if account is None or not account.active or account.reset_sent_at is None:
        abort(410)
    if utcnow() - account.reset_sent_at > valid_for:
        abort(410)
    return account


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """The link in the e-mail: a form for the new password. Opening it changes nothing (mail scanners open links
    too); the button does, once. Every session of the account ends; the second factor stays."""
    account = _account_for(token)
    form = NewPasswordForm()
    form.account_email = account.email
    if request.method == "POST":
        if not form.validate():
            return render_template("accounts/reset.html", form=form), 400
        begin_write()
        used = db.session.execute(  # once: of two browsers pressing at the same moment, one wins
            update(Account)
            .where(Account.id == account.id, Account.reset_token_hash == _token_hash(token))
            .values(reset_token_hash=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not used:
            db.session.rollback()
            abort(410)
        set_password(account, form.new_password.data)
        audit("reset password", account, by=account)
        db.session.commit()
        flash(lazy_gettext("Your password is changed. Log in with it."), "info")
        return redirect(url_for(".login"))
    return render_template("accounts/reset.html", form=form)
