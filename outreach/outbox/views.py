"""The organiser's outbox: what waits, what failed, what is held; pause, resume, retry, release, cancel, the
campaign kill switch; the own-domain check; and, on a developer's machine, the mail the local sink caught."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from outreach.accounts.access import audit, protect
from outreach.campaigns.confirmation import kill_switch
from outreach.campaigns.queries import is_paused
from outreach.campaigns.stats import letters_sent
from outreach.database import begin_write, utcnow
from outreach.directory.delivery import clear_undeliverable, undeliverable_addresses
from outreach.extensions import db, limiter
from outreach.labels import label, stored_text
from outreach.outbox import devsink, digest, domain, queue, smtp, states
from outreach.outbox.models import DIGEST, OutboxMessage
from outreach.outbox.queue import PAUSE_REASONS, PAUSED_BY_ORGANISER
from outreach.validation import email_address

bp = Blueprint("outbox_admin", __name__, url_prefix="/admin")
protect(bp)

STATE_NAMES = {
    states.QUEUED: lazy_gettext("queued"),
    states.SENDING: lazy_gettext("sending"),
    states.SENT: lazy_gettext("sent"),
    states.RETRY_WAIT: lazy_gettext("waiting to retry"),
    states.FAILED: lazy_gettext("failed"),
    states.HELD: lazy_gettext("held"),
    states.CANCELLED: lazy_gettext("cancelled"),
    states.DIGEST_WAIT: lazy_gettext("waiting for the daily digest"),
    states.IN_DIGEST: lazy_gettext("in a daily digest"),
}
HOLD_REASONS = {
    "left_house": lazy_gettext("the member left the House"),
    "do_not_write": lazy_gettext("the member asked not to be written to"),
    "no_address": lazy_gettext("the member has no e-mail address"),
    "undeliverable": lazy_gettext("the address was refused before"),
    queue.CAMPAIGN_STOPPED: lazy_gettext("the campaign was stopped"),
}
ATTEMPT_OUTCOMES = {
    "sent": lazy_gettext("sent"),
    "retry": lazy_gettext("to be retried"),
    "failed": lazy_gettext("failed"),
    "pause": lazy_gettext("sending paused"),
    "interrupted": lazy_gettext("interrupted"),
}
LIST_LIMIT = 100


class SupporterForm(FlaskForm):
    email = StringField(
        lazy_gettext("Supporter's e-mail address"), validators=[DataRequired(), Length(max=254), email_address]
    )


@bp.app_template_global()
def outbox_state(status: str) -> str:
    return str(STATE_NAMES.get(status, status))


@bp.app_template_global()
def pause_reason(reason: str | None) -> str:
    """Why sending paused, in the reader's language; a mail server's own answer inside it stays as it came."""
    return stored_text(reason, PAUSE_REASONS + smtp.ATTEMPT_TEXTS)


@bp.app_template_global()
def attempt_outcome(outcome: str) -> str:
    return label(outcome, ATTEMPT_OUTCOMES)


@bp.app_template_global()
def outbox_answer(code: int | None, text: str | None) -> str:
    """The server's answer to an attempt, or Outreach's explanation when there was none."""
    return smtp.explain(code, text)


@bp.app_template_global()
def hold_reason(reason: str | None) -> str:
    return str(HOLD_REASONS.get(reason or "", reason or ""))


@bp.app_context_processor
def outbox_problems() -> dict[str, object]:
    """Every organiser page shows when sending needs attention."""
    if not current_user.is_authenticated or not request.path.startswith("/admin"):
        return {}
    return {"outbox_problems": [queue.PROBLEM_TEXT[p] for p in queue.problems()]}


def _in(status: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def _digests() -> list[OutboxMessage]:
    latest = select(OutboxMessage).where(OutboxMessage.kind == DIGEST).order_by(OutboxMessage.id.desc())
    return list(db.session.scalars(latest.limit(LIST_LIMIT)))


@bp.get("/outbox/")
def index() -> str:
    """Counts per state, the oldest waiting message, failures and held letters, and the controls."""
    now = utcnow()
    return render_template(
        "outbox/index.html",
        counts=queue.counts(),
        oldest=queue.oldest_waiting(now),
        control=queue.control_row(),
        # "sent" per campaign is the letters sent as every other page counts them (a bounce undoes a send).
        campaigns=[
            (campaign_id, {**row, states.SENT: letters_sent(campaign_id)}) for campaign_id, row in queue.by_campaign()
        ],
        failed=_in(states.FAILED),
        held=_in(states.HELD),
        digests=(latest := _digests()),
        digest_sizes=digest.sizes([message.id for message in latest]),
        undeliverable=undeliverable_addresses(),
        supporter_form=SupporterForm(),
        now=now,
    )


@bp.get("/outbox/<int:message_id>")
def show(message_id: int) -> str:
    """One message: addressing, state and every attempt with the server's answer (the text is not shown here)."""
    message = db.get_or_404(OutboxMessage, message_id)
    size = digest.sizes([message.id]).get(message.id, 0) if message.kind == DIGEST else None
    return render_template("outbox/show.html", message=message, digest_size=size)


@bp.post("/outbox/pause")
def pause() -> Response:
    begin_write()  # SQLite has no FOR UPDATE: the write lock keeps the worker from changing the row meanwhile
    control = queue.control_row(lock=True)
    if not control.paused:
        queue.pause(control, PAUSED_BY_ORGANISER, utcnow(), automatic=False, by=current_user.email)
        audit("outbox.pause")
        db.session.commit()
    flash(lazy_gettext("Sending is paused. Nothing goes out until you resume."), "success")
    return redirect(url_for(".index"))


@bp.post("/outbox/resume")
def resume() -> Response:
    begin_write()
    control = queue.control_row(lock=True)
    if control.paused:
        queue.resume(control)
        audit("outbox.resume")
        db.session.commit()
    flash(lazy_gettext("Sending resumed."), "success")
    return redirect(url_for(".index"))


ACTIONS = {
    "retry": (queue.retry, lazy_gettext("The message is queued again.")),
    "release": (queue.release, lazy_gettext("The message is released and will be sent when due.")),
    "cancel": (queue.cancel, lazy_gettext("The message is cancelled.")),
}


@bp.post("/outbox/<int:message_id>/<action>")
def act(message_id: int, action: str) -> Response:
    """Retry a failed message, release a held one, or cancel one that has not gone out."""
    if action not in ACTIONS:
        abort(404)
    begin_write()  # what the message's state allows is read under the lock, so the worker cannot move it meanwhile
    message = db.get_or_404(OutboxMessage, message_id)
    change, done = ACTIONS[action]
    if action not in _possible(message):
        flash(
            lazy_gettext("That is no longer possible: the message is %(state)s.", state=outbox_state(message.status)),
            "error",
        )
    else:
        change(message)
        if action != "cancel" and is_paused(message.campaign_id):
            queue.hold_for_campaign(message)
            done = lazy_gettext("The campaign is paused: the message goes out when the campaign is live again.")
        audit(f"outbox.{action}", message)
        db.session.commit()
        flash(done, "success")
    back = url_for(".show", message_id=message_id) if request.form.get("back") == "show" else url_for(".index")
    return redirect(back)


def _possible(message: OutboxMessage) -> set[str]:
    allowed = states.ALLOWED[message.status]
    possible = set()
    if message.status == states.FAILED and states.QUEUED in allowed:
        possible.add("retry")
    if message.status == states.HELD:
        possible.add("release")
    if states.CANCELLED in allowed:
        possible.add("cancel")
    return possible


bp.add_app_template_global(_possible, "outbox_actions")


@bp.post("/outbox/campaign/<int:campaign_id>/<action>")
def campaign(campaign_id: int, action: str) -> Response:
    """The kill switch: hold everything a campaign has waiting, or release what the switch held. It is the
    campaign's own pause and resume, so the campaign page says the same."""
    if action not in ("hold", "release"):
        abort(404)
    begin_write()
    count = kill_switch(campaign_id, action == "hold", utcnow())
    if action == "hold":
        flash(ngettext("%(num)d message held.", "%(num)d messages held.", count), "success")
    else:
        flash(ngettext("%(num)d message released.", "%(num)d messages released.", count), "success")
    audit(f"outbox.campaign_{action}", detail=f"campaign {campaign_id}: {count}")
    db.session.commit()
    return redirect(url_for(".index"))


@bp.post("/outbox/cancel-supporter")
def cancel_supporter() -> Response | str:
    """Cancel every letter of one supporter that has not gone out (e.g. they asked to withdraw)."""
    form = SupporterForm()
    if not form.validate_on_submit():
        for error in form.email.errors:
            flash(error, "error")
        return redirect(url_for(".index"))
    count = queue.cancel_supporter(form.email.data)
    audit("outbox.cancel_supporter", detail=f"{count} cancelled")  # the address itself is not logged
    db.session.commit()
    flash(ngettext("%(num)d message cancelled.", "%(num)d messages cancelled.", count), "success")
    return redirect(url_for(".index"))


@bp.post("/outbox/undeliverable/clear")
def clear_address() -> Response:
    """An organiser checked a refused address: letters to it may be sent again (held ones are released by hand)."""
    address = request.form.get("email", "")
    if clear_undeliverable(address):
        audit("directory.clear_undeliverable", detail=address)
        db.session.commit()
        flash(lazy_gettext("The address may be written to again."), "success")
    return redirect(url_for(".index"))


class TestMessageForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Send a test message to"), validators=[DataRequired(), Length(max=254), email_address]
    )


SEVERITY_NAMES = {
    domain.OK: lazy_gettext("In order"),
    domain.ADVICE: lazy_gettext("Advice"),
    domain.PROBLEM: lazy_gettext("To fix"),
}
TOPIC_NAMES = {"relay": lazy_gettext("Mail server"), "spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC"}


@bp.get("/outbox/domain")
def domain_check(form: TestMessageForm | None = None) -> str:
    """Whether receivers will trust letters from the campaign's domain (SPF, DKIM, DMARC), and what to publish."""
    return render_template(
        "outbox/domain.html",
        report=domain.check(),
        form=form or TestMessageForm(),
        severity_names=SEVERITY_NAMES,
        topic_names=TOPIC_NAMES,
    )


def _test_limit() -> str:
    return current_app.config["DOMAIN_TEST_LIMIT"]


def _account_key() -> str:
    return f"domain-test:{current_user.id}"


@bp.post("/outbox/domain/test")
@limiter.limit(_test_limit, key_func=_account_key, deduct_when=lambda response: response.status_code == 302)
def domain_test() -> Response | tuple[str, int]:
    """Queue a test message, sent like a letter, to an address the organiser gives (audited, a few an hour)."""
    form = TestMessageForm()
    if not form.validate_on_submit():
        return domain_check(form), 400
    report = domain.check()
    message = domain.send_test(form.email.data, report, str(get_locale()))
    audit("outbox.domain_test", detail=f"to {form.email.data}")
    db.session.commit()
    flash(
        lazy_gettext(
            "A test message to %(address)s is queued. Look at its headers when it arrives.", address=form.email.data
        ),
        "success",
    )
    return redirect(url_for(".show", message_id=message.id))


def _dev_mail_folder() -> str:
    if not current_app.debug:
        abort(404)  # only on a developer's machine: in production mail goes to real mailboxes
    return current_app.config["DEV_MAIL_DIR"]


@bp.get("/dev-mail", endpoint="dev_mail")
def dev_mail() -> str:
    """The messages the local development sink caught, newest first."""
    return render_template("outbox/dev_mail.html", mails=devsink.stored(_dev_mail_folder()))


@bp.get("/dev-mail/<name>", endpoint="dev_mail_message")
def dev_mail_message(name: str) -> str:
    mail = devsink.read(_dev_mail_folder(), name) or abort(404)
    return render_template("outbox/dev_mail_message.html", mail=mail)
