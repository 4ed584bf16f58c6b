"""After the letter form: "check your mail" (the address used, one more e-mail, a mistyped address corrected), the
confirmation link, and the thank-you page that brings the next supporter."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, lazy_gettext
from werkzeug.wrappers import Response

from outreach.campaigns import bp, digest, sharing, stats, submit, tokens
from outreach.campaigns.confirmation import confirm as confirm_submission
from outreach.campaigns.forms import CorrectAddressForm
from outreach.campaigns.models import AWAITING, REPEATED, SEND, Campaign, Submission
from outreach.campaigns.views import CHECK_MAIL_KEY, campaign_or_404, submission_from
from outreach.database import begin_write, utcnow
from outreach.extensions import db, limiter


def _check_mail_limit() -> str:
    return current_app.config["CHECK_MAIL_LIMIT"]


def _waiting(campaign: Campaign) -> Submission | None:
    """The submission this visitor just sent in this campaign, while its confirmation e-mail is still to be clicked."""
    submission_id = session.get(CHECK_MAIL_KEY)
    submission = db.session.get(Submission, submission_id) if isinstance(submission_id, int) else None
    if submission is None or submission.campaign_id != campaign.id or submission.mode != SEND:
        return None
    return submission if submission.status in (AWAITING, REPEATED) else None


def _check_mail_page(campaign: Campaign, form: CorrectAddressForm) -> str:
    submission = _waiting(campaign)
    return render_template(
        "campaigns/check_mail.html",
        campaign=campaign,
        submission=submission,
        can_resend=submission is not None and submission.status == AWAITING and submission.reminded_at is None,
        form=form,
        days=current_app.config["CONFIRM_VALID_SECONDS"] // 86400,
    )


@bp.get("/campaigns/<slug>/check-your-mail")
def check_mail(slug: str) -> str:
    """After sending the form: the confirmation e-mail is on its way, to the address shown."""
    request.personal_data = True  # type: ignore[attr-defined]
    return _check_mail_page(campaign_or_404(slug), CorrectAddressForm(formdata=None))


@bp.post("/campaigns/<slug>/check-your-mail/again")
@limiter.shared_limit(_check_mail_limit, scope="check-mail")
def send_again(slug: str) -> Response:
    """Send the confirmation e-mail once more (once per letter; it then counts as the reminder)."""
    request.personal_data = True  # type: ignore[attr-defined]
    campaign = campaign_or_404(slug)
    begin_write()  # read under the lock: a double click sends the e-mail once
    submission = _waiting(campaign)
    if submission is None or submission.status != AWAITING:
        flash(lazy_gettext("There is no letter waiting for confirmation here any more."), "error")
    elif submission.reminded_at is not None:
        flash(lazy_gettext("We already sent the e-mail a second time; look in your spam folder too."), "error")
    else:
        message = submit.send_confirmation(submission)
        db.session.flush()
        submission.reminded_at, submission.reminder_message_id = utcnow(), message.id
        db.session.commit()
        flash(lazy_gettext("We sent the e-mail again to %(email)s.", email=submission.supporter.email), "success")
    return redirect(url_for(".check_mail", slug=slug))


@bp.post("/campaigns/<slug>/check-your-mail/address")
@limiter.shared_limit(_check_mail_limit, scope="check-mail")
def correct_address(slug: str) -> str | Response | tuple[str, int]:
    """A mistyped address corrected: the old one is never mailed again, the letters wait for the new one's click."""
    request.personal_data = True  # type: ignore[attr-defined]
    campaign = campaign_or_404(slug)
    form = CorrectAddressForm()
    submission = _waiting(campaign)
    if submission is None or submission.status != AWAITING:
        flash(lazy_gettext("There is no letter waiting for confirmation here any more."), "error")
        return redirect(url_for(".check_mail", slug=slug))
    if not form.validate():
        return _check_mail_page(campaign, form), 400
    email = form.email.data.strip()
    if email.lower() == submission.supporter.email:
        form.email.errors = [str(lazy_gettext("This is the address we already used."))]
        return _check_mail_page(campaign, form), 400
    try:
        moved = submit.correct_address(submission, email, utcnow())
    except submit.AddressLimitReached:
        form.email.errors = [
            str(
                lazy_gettext(
                    "This e-mail address has sent as many letters as we accept for now. Please try again tomorrow."
                )
            )
        ]
        return _check_mail_page(campaign, form), 429
    db.session.commit()
    session[CHECK_MAIL_KEY] = moved.id
    flash(
        lazy_gettext("We sent a new e-mail to %(email)s. Nothing more goes to the old address.", email=email),
        "success",
    )
    return redirect(url_for(".check_mail", slug=slug))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> str | Response:
    """The link in the confirmation e-mail: the page asks once more (mail scanners open links too), the button
    sends and thanks, with the counter and links to bring the next supporter. A second click, an expired or a
    tampered link changes nothing."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    submission = submission_from(token, tokens.CONFIRM_SALT, current_app.config["CONFIRM_VALID_SECONDS"])
    campaign = submission.campaign
    if request.method == "POST":
        begin_write()  # the status is read again under the lock: a double click confirms, and queues, once
        if confirm_submission(submission, utcnow()):
            db.session.commit()
        return redirect(url_for(".confirm", token=token))
    if submission.status == AWAITING:
        return render_template("campaigns/confirm.html", submission=submission, campaign=campaign)
    language = str(get_locale())
    return render_template(
        "campaigns/done.html",
        submission=submission,
        campaign=campaign,
        totals=stats.public_totals(campaign),
        digests=digest.in_digests(submission.letters),
        share_links=sharing.share_links(campaign, language),
        share_text=sharing.share_text(campaign, language),
        copy_link=sharing.campaign_link(campaign, "copy"),
        device_link=sharing.campaign_link(campaign, "device"),
    )
