"""Organiser pages for campaigns: the list, each campaign's overview (letters by state and by source), editing with
a preview for a chosen member, and the review queue of held letters."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from outreach.accounts.access import audit, protect
from outreach.campaigns import labels, reading, stats, submit, targets
from outreach.campaigns.confirmation import change_status, reject, release
from outreach.campaigns.forms import READING_PREFIX, CampaignForm, campaign_form
from outreach.campaigns.models import CAMPAIGN_STATUSES, DRAFT, HELD, Campaign, Letter, Submission
from outreach.database import begin_write, utcnow
from outreach.directory import queries
from outreach.extensions import db
from outreach.outbox import digest as outbox_digest
from outreach.urls import parse_id

bp = Blueprint("campaigns_admin", __name__, url_prefix="/admin/campaigns")
protect(bp)

LIST_FIELDS = ("parties", "committees")


bp.add_app_template_global(labels.letter_status)
bp.add_app_template_global(labels.campaign_status)
bp.add_app_template_global(labels.hold_label)


@bp.get("/")
def index() -> str:
    """Every campaign with its state and numbers."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())).all()
    held = db.session.scalar(select(db.func.count(Letter.id)).where(Letter.status == HELD))
    return render_template(
        "campaigns/admin/index.html",
        campaigns=[(c, stats.totals(c), stats.letters_by_status(c)) for c in campaigns],
        held=held,
    )


@bp.get("/<int:campaign_id>")
def show(campaign_id: int) -> str:
    """One campaign: counter, letters by state, where supporters came from, and its status controls."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "campaigns/admin/show.html",
        campaign=campaign,
        totals=stats.totals(campaign),
        by_status=stats.letters_by_status(campaign),
        by_source=stats.by_source(campaign),
        digests=outbox_digest.campaign_totals(campaign.id),
        statuses=CAMPAIGN_STATUSES,
    )


@bp.post("/<int:campaign_id>/status")
def set_status(campaign_id: int) -> Response:
    """Make a campaign live, pause it (its letters are held at once), close it, or put it back to draft."""
    campaign = db.get_or_404(Campaign, campaign_id)
    status = request.form.get("status", "")
    if status not in CAMPAIGN_STATUSES:
        abort(400)
    begin_write()  # the campaign's letters are held or released under the lock, so none slips past the switch
    change_status(campaign, status, utcnow())
    audit("campaign status", campaign, status)
    db.session.commit()
    flash(lazy_gettext("The campaign is now %(status)s.", status=labels.campaign_status(status)), "info")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int | None = None) -> str | Response | tuple[str, int]:
    """Write or change a campaign; "Preview" shows the letter as a chosen member will receive it, unsaved."""
    campaign = db.get_or_404(Campaign, campaign_id) if campaign_id else None
    codes = reading.reading_languages()
    form = campaign_form(codes)(
        obj=campaign, data=None if campaign else {"all_members": True, "max_recipients": 10, "daily_cap": 200}
    )
    if request.method == "GET" and campaign is not None:
        for field in LIST_FIELDS:
            getattr(form, field).data = ", ".join(getattr(campaign, field) or [])
        for code in codes:
            for part in reading.FIELDS:
                form[f"{READING_PREFIX}{code}_{part}"].data = reading.reading_text(campaign, code, part) or ""
    members = queries.find_members(queries.MemberFilter())
    preview = None
    if request.method == "POST" and form.validate():
        if request.form.get("action") == "save":
            slug_owner = db.session.scalar(select(Campaign).where(Campaign.slug == form.slug.data))
            if slug_owner is not None and slug_owner is not campaign:
                form.slug.errors = [*form.slug.errors, str(lazy_gettext("Another campaign has this address."))]
            else:
                return _save(campaign, form)
        else:
            preview = _preview(form, members)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template(
        "campaigns/admin/edit.html",
        campaign=campaign,
        form=form,
        members=members,
        extras=targets.all_extra_targets(),
        chosen_extras=set(campaign.extra_targets or []) if campaign else set(),
        preview=preview,
        placeholders=submit.letters.PLACEHOLDERS,
        reading_fields=[[form[f"{READING_PREFIX}{code}_{part}"] for part in reading.FIELDS] for code in codes],
    ), status


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _save(campaign: Campaign | None, form: CampaignForm) -> Response:
    now = utcnow()
    new = campaign is None
    if campaign is None:
        campaign = Campaign(status=DRAFT, created_at=now)
        db.session.add(campaign)
    status = form.status.data
    for name, field in form._fields.items():
        if name in ("csrf_token", "status") or name.startswith(READING_PREFIX):
            continue
        value = _split(field.data) if name in LIST_FIELDS else field.data
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").strip() or None
        setattr(campaign, name, value)
    campaign.intro_nl = campaign.intro_nl or ""
    campaign.reading = reading.stored(
        campaign.reading,
        {
            code: {part: form[f"{READING_PREFIX}{code}_{part}"].data for part in reading.FIELDS}
            for code in reading.reading_languages()
        },
    )
    chosen_extras = (parse_id(value) for value in request.form.getlist("extra_targets"))
    campaign.extra_targets = [number for number in chosen_extras if number is not None]
    campaign.updated_at = now
    db.session.flush()
    change_status(campaign, status, now)
    audit("campaign created" if new else "campaign edited", campaign)
    db.session.commit()
    flash(lazy_gettext("The campaign is saved."), "info")
    return redirect(url_for(".show", campaign_id=campaign.id))


def _preview(form: CampaignForm, members: list) -> dict[str, str] | None:
    """The letter as the chosen member receives it, from the form's (unsaved) texts."""
    language = "en" if request.form.get("preview_language") == "en" and form.body_en.data else "nl"
    member_id = request.form.get("preview_member", "")
    member = next((m for m in members if str(m.id) == member_id), members[0] if members else None)
    if member is None:
        return None
    draft = Campaign(title_nl=form.title_nl.data, title_en=form.title_en.data)
    subject = (form.subject_en.data if language == "en" else form.subject_nl.data) or ""
    body = (form.body_en.data if language == "en" else form.body_nl.data) or ""
    target = targets.member_target(member)
    subject, body = submit.render(draft, target, language, subject, body, "Jan Jansen", "Utrecht")
    return {"member_id": str(member.id), "language": language, "subject": subject, "body": body, "to": target.name}


@bp.get("/review")
def review() -> str:
    """Letters held for an organiser: near-identical to another supporter's, from a parliament address, or waiting
    for an address. The letters' text is shown only on request (and that is logged)."""
    held = db.session.scalars(
        select(Submission)
        .where(Submission.letters.any(Letter.status == HELD))
        .order_by(Submission.confirmed_at)
        .limit(200)
    ).all()
    return render_template("campaigns/admin/review.html", submissions=held)


@bp.get("/review/<int:submission_id>")
def review_submission(submission_id: int) -> str:
    """One held submission with its text and, when held as similar, the text it resembles (access is logged)."""
    submission = db.get_or_404(Submission, submission_id)
    similar = db.session.get(Submission, submission.similar_to) if submission.similar_to else None
    audit("viewed letter", submission)
    db.session.commit()
    return render_template("campaigns/admin/review_submission.html", submission=submission, similar=similar)


@bp.post("/review/<int:submission_id>")
def decide(submission_id: int) -> Response | tuple[str, int]:
    """Release a held submission's letters, or reject them with a message the supporter receives."""
    action = request.form.get("action")
    if action in ("release", "reject"):
        begin_write()  # the letters still held are read under the lock: two organisers cannot both release them
    submission = db.get_or_404(Submission, submission_id)
    held = [letter for letter in submission.letters if letter.status == HELD]
    if action == "release":
        count = release(held, utcnow())
        audit("released letters", submission, f"{count} letters")
        flash(lazy_gettext("%(count)d letters sent to the outbox.", count=count), "info")
    elif action == "reject":
        message = (request.form.get("message") or "").strip()
        if not message:
            flash(lazy_gettext("Write the supporter a short explanation first."), "error")
            return redirect(url_for(".review_submission", submission_id=submission.id))
        count = reject(submission, message[:2000])
        audit("rejected letters", submission, f"{count} letters")
        flash(lazy_gettext("%(count)d letters rejected; the supporter is told why.", count=count), "info")
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for(".review"))


from outreach.campaigns import posters  # noqa: E402, F401  (registers the poster pages on bp)
