"""An organiser's own account: change the password, set up or remove the second factor, make new recovery codes."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from outreach.accounts import bp, passwords, secondfactor
from outreach.accounts.access import audit, before_second_factor
from outreach.accounts.models import Account
from outreach.database import begin_write
from outreach.extensions import db, limiter


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + str(current_user.get_id() or "-").partition(":")[0]


def strong_enough(form: FlaskForm, field: Field) -> None:
    """WTForms validator: the house rules for passwords (length, zxcvbn), with the account's address as a hint."""
    email = getattr(form, "account_email", "") or ""
    problem = passwords.password_problem(field.data or "", email)
    if problem:
        raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        lazy_gettext("New password"),
        validators=[DataRequired(lazy_gettext("Choose a new password.")), strong_enough],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        lazy_gettext("New password again"),
        validators=[
            DataRequired(lazy_gettext("Type the new password once more.")),
            EqualTo("new_password", lazy_gettext("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(lazy_gettext("Type your current password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordCheckForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Your password"),
        validators=[DataRequired(lazy_gettext("Type your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class EnrolForm(FlaskForm):
    code = StringField(
        lazy_gettext("Code from the app"),
        validators=[DataRequired(lazy_gettext("Type the code from your app.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off"},
    )


def set_password(account: Account, password: str) -> None:
    """A new password ends every session of the account and every reset link sent before."""
    account.password_hash = passwords.hash_password(password)
    account.reset_token_hash = None
    account.reset_sent_at = None
    account.end_sessions()


@bp.get("/account")
def account() -> str:
    """My account: the password and the second factor."""
    return render_template(
        "accounts/account.html",
        required=secondfactor.required(current_user),
        codes_left=secondfactor.recovery_codes_left(current_user) if current_user.has_second_factor else 0,
        check_form=PasswordCheckForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_limit, key_func=_account_key, methods=["POST"])
def change_password() -> str | Response | tuple[str, int]:
    """Change one's password: the current one, then the new one twice. Every other session of the account ends;
    this one carries on."""
    me: Account = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = me.email
    if request.method == "POST":
        if form.validate():
            if passwords.verify(me.password_hash, form.current_password.data):
                set_password(me, form.new_password.data)
                audit("change password", me)
                db.session.commit()
                login_user(me)  # this session with the new session token
                flash(lazy_gettext("Your password is changed. You are logged out everywhere else."), "info")
                return redirect(url_for(".account"))
            form.current_password.errors.append(lazy_gettext("Your current password is not right."))
        return render_template("accounts/password.html", form=form), 400
    return render_template("accounts/password.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@before_second_factor
def enrol() -> str | Response | tuple[str, int]:
    """Set up the second factor: scan the QR code (or type the secret) into an authenticator app, then confirm it
    works with a code. It is switched on only then; the ten recovery codes are shown once."""
    me: Account = current_user._get_current_object()
    if me.has_second_factor:
        return redirect(url_for(".account"))
    if me.totp_secret is None:  # kept while not confirmed, so a reload shows the same QR code
        begin_write()
        me.totp_secret = secondfactor.new_secret()
        db.session.commit()
    form = EnrolForm()
    status = 200
    if request.method == "POST":
        step = secondfactor.matching_step(me.totp_secret, form.code.data or "") if form.validate() else None
        if step is not None:
            codes = secondfactor.enable(me, me.totp_secret, step)
            audit("enrol second factor", me)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        if form.code.data:
            audit("failed second-factor code", me, "setting up")
            db.session.commit()
            form.code.errors.append(lazy_gettext("This code is not right. Check the time on your phone and try again."))
        status = 400
    uri = secondfactor.provisioning_uri(me, me.totp_secret)
    page = render_template(
        "accounts/enrol.html",
        form=form,
        qr=secondfactor.qr_svg(uri, str(lazy_gettext("QR code for your authenticator app"))),
        secret=secondfactor.grouped(me.totp_secret),
        required=secondfactor.required(me),
    )
    return page, status


def _password_checked(form: PasswordCheckForm, me: Account) -> bool:
    if form.validate() and passwords.verify(me.password_hash, form.password.data):
        return True
    flash(lazy_gettext("Your password is not right."), "error")
    return False


@bp.post("/account/recovery-codes")
@limiter.limit(_limit, key_func=_account_key)
def new_recovery_codes() -> str | Response:
    """Ten new recovery codes (the old ones stop working), shown once."""
    me: Account = current_user._get_current_object()
    if not me.has_second_factor:
        return redirect(url_for(".enrol"))
    if not _password_checked(PasswordCheckForm(), me):
        return redirect(url_for(".account"))
    codes = secondfactor.new_recovery_codes(me)
    audit("new recovery codes", me)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.post("/account/second-factor/remove")
@limiter.limit(_limit, key_func=_account_key)
def remove_second_factor() -> Response:
    """Switch one's second factor off, where one's role does not require it."""
    me: Account = current_user._get_current_object()
    if secondfactor.required(me):
        flash(lazy_gettext("Your role requires a second factor, so it cannot be switched off."), "error")
    elif me.has_second_factor and _password_checked(PasswordCheckForm(), me):
        secondfactor.remove(me)
        audit("remove second factor", me)
        db.session.commit()
        flash(lazy_gettext("The second factor is switched off."), "info")
    return redirect(url_for(".account"))
