"""The public side of privacy: the privacy statement (written from the configuration), and a supporter's own
request for their data: an e-mail with a link that works once, for an hour, to see, download or erase it."""

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from sqlalchemy import update
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from outreach.campaigns import tokens
from outreach.database import begin_write, utcnow
from outreach.downloads import json_response
from outreach.extensions import db, limiter
from outreach.i18n import page_language
from outreach.organisation.settings import load as load_organisation
from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE
from outreach.privacy import bp, subject
from outreach.privacy.models import ERASURE, EXPORT, SELF_SERVICE, PrivacyRequest
from outreach.urls import public_url
from outreach.validation import email_address

SALT = "privacy-request"
SESSION_KEY = "privacy_request"


@bp.get("/privacy")
def statement() -> str:
    """What Outreach does with personal data, with the retention periods this site is configured with."""
    return render_template("privacy/statement.html", config=current_app.config)


class RequestForm(FlaskForm):
    email = StringField(
        lazy_gettext("Your e-mail address"),
        validators=[DataRequired(lazy_gettext("Which address is it about?")), Length(max=254), email_address],
    )


def _request_limit() -> str:
    return current_app.config["PRIVACY_REQUEST_LIMIT"]


@bp.route("/privacy/my-data", methods=["GET", "POST"])
@limiter.limit(_request_limit, methods=["POST"])  # per internet address (client_key)
def ask() -> str | Response | tuple[str, int]:
    """Ask for one's data by e-mail address. The page says the same whether or not the address is known; the
    e-mail goes to the address, so only its owner can open the link."""
    request.personal_data = True  # type: ignore[attr-defined]
    form = RequestForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("privacy/ask.html", form=form), 400
        begin_write()
        send_link(form.email.data.strip().lower())
        db.session.commit()
        return redirect(url_for(".sent"))
    return render_template("privacy/ask.html", form=form)


@bp.get("/privacy/my-data/sent")
def sent() -> str:
    return render_template("privacy/sent.html")


def send_link(email: str) -> None:
    """Record the request and e-mail the link (or, for an address nothing is held about, say so)."""
    now = utcnow()
    row = PrivacyRequest(
        kind=EXPORT, channel=SELF_SERVICE, email=email, email_hash=subject.address_hash(email), requested_at=now
    )
    db.session.add(row)
    db.session.flush()
    known = subject.holds_data(email)
    text = render_email(
        "privacy_link",
        page_language(),
        site=load_organisation().name or current_app.config["PUBLIC_URL"],
        link=public_url("privacy.data", token=tokens.sign(row.id, SALT)) if known else None,
    )
    enqueue(NOTICE, Recipient(None, email), text.subject, text.body, language=page_language())


def _request_for(token: str) -> PrivacyRequest:
    """The request a link belongs to, while it can be used: a tampered link is 400; an expired, used or erased one
    410."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    state, request_id = tokens.load(token, SALT, current_app.config["PRIVACY_LINK_SECONDS"])
    if state == tokens.EXPIRED:
        abort(410)
    if state != tokens.VALID:
        abort(400)
    row = db.session.get(PrivacyRequest, request_id)
    if row is None or row.email is None:
        abort(410)
    return row


def _opened_here(token: str) -> PrivacyRequest:
    """The request, if this browser is the one that opened it."""
    row = _request_for(token)
    if row.opened_at is None or session.get(SESSION_KEY) != row.id:
        abort(410)
    return row


@bp.route("/privacy/my-data/<token>", methods=["GET", "POST"])
def data(token: str) -> str | Response:
    """The link in the e-mail. It first shows a button (mail scanners open links too, and the link works once);
    the browser that presses it sees everything held about the address, can download it and can erase it."""
    row = _request_for(token)
    if request.method == "POST":
        begin_write()
        now = utcnow()
        opened = db.session.execute(  # once: of two browsers pressing at the same moment, one wins
            update(PrivacyRequest)
            .where(PrivacyRequest.id == row.id, PrivacyRequest.opened_at.is_(None))
            .values(opened_at=now, handled_at=now, handled_by="self-service")
        ).rowcount
        db.session.commit()
        if not opened:
            abort(410)
        session[SESSION_KEY] = row.id
        return redirect(url_for(".data", token=token))
    if row.opened_at is None:
        return render_template("privacy/open.html", token=token)
    row = _opened_here(token)
    return render_template("privacy/data.html", held=subject.export(row.email), token=token)


@bp.get("/privacy/my-data/<token>/download")
def download(token: str) -> Response:
    row = _opened_here(token)
    return json_response(subject.export(row.email), "my-data.json")


@bp.post("/privacy/my-data/<token>/erase")
def erase(token: str) -> Response:
    """Erase everything about the address; the link, and any other still open for it, is used up."""
    row = _opened_here(token)
    begin_write()
    row.kind = ERASURE
    subject.erase(row.email, utcnow())
    db.session.commit()
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".erased"))


@bp.get("/privacy/my-data/erased")
def erased() -> str:
    return render_template("privacy/erased.html")
