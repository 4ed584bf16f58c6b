"""Organisers handle requests that arrive by post, phone or e-mail: see and download what is held about an
address, or erase it; each handled request is recorded (with a keyed hash of the address, not the address)."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from outreach.accounts.access import audit, protect
from outreach.database import begin_write, utcnow
from outreach.downloads import json_response
from outreach.extensions import db
from outreach.privacy import subject
from outreach.privacy.models import ERASURE, EXPORT, SELF_SERVICE, PrivacyRequest
from outreach.validation import email_address

bp = Blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")
protect(bp)

KIND_LABELS = {EXPORT: lazy_gettext("see and download the data"), ERASURE: lazy_gettext("erase the data")}
CHANNEL_LABELS = {
    SELF_SERVICE: lazy_gettext("through the website"),
    "email": lazy_gettext("by e-mail"),
    "post": lazy_gettext("by post"),
    "phone": lazy_gettext("by phone"),
    "in_person": lazy_gettext("in person"),
}


@bp.app_template_global()
def privacy_label(value: str | None) -> str:
    return str({**KIND_LABELS, **CHANNEL_LABELS}.get(value or "", value or "–"))


class HandleForm(FlaskForm):
    email = StringField(lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254), email_address])
    kind = SelectField(lazy_gettext("Request"), validators=[InputRequired()])
    channel = SelectField(lazy_gettext("Received"), validators=[InputRequired()])
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=2000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(key, str(label)) for key, label in KIND_LABELS.items()]
        self.channel.choices = [
            SelectChoice(key, str(label)) for key, label in CHANNEL_LABELS.items() if key != SELF_SERVICE
        ]


def _page(form: HandleForm, status: int = 200, held: dict | None = None) -> tuple[str, int]:
    requests = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.requested_at.desc()).limit(100))
    return render_template("privacy/admin/index.html", form=form, requests=list(requests), held=held), status


@bp.get("/")
def index() -> tuple[str, int]:
    """Requests handled so far, and the form to handle one that came another way."""
    return _page(HandleForm())


@bp.post("/")
def handle() -> Response | tuple[str, int]:
    """Show what is held about an address (and record the request), or erase it."""
    form = HandleForm()
    if not form.validate():
        return _page(form, 400)
    email = form.email.data.strip().lower()
    kind = EXPORT if request.form.get("download") else form.kind.data  # "download" never erases
    begin_write()
    now = utcnow()
    row = PrivacyRequest(
        kind=kind,
        channel=form.channel.data,
        email_hash=subject.address_hash(email),
        requested_at=now,
        handled_at=now,
        handled_by=current_user.email,
        note=(form.note.data or "").strip() or None,
    )
    db.session.add(row)
    db.session.flush()
    if kind == ERASURE:
        erased = subject.erase(email, now)
        audit("privacy erasure", row, "erased" if erased else "nothing held")
        db.session.commit()
        flash(lazy_gettext("Erased.") if erased else lazy_gettext("Nothing is held about this address."), "info")
        return redirect(url_for(".index"))
    held = subject.export(email)
    audit("privacy export", row)
    db.session.commit()
    if request.form.get("download"):
        return json_response(held, "data.json")
    return _page(HandleForm(data={"email": email}), held=held)
