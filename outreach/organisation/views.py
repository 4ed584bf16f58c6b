"""The about page, the pictures, link previews and the favicon (public), and the admin pages that edit the
organisation's details and a campaign's image."""

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from outreach.accounts.access import audit, protect, requires_role
from outreach.campaigns.models import DRAFT, Campaign
from outreach.database import begin_write, utcnow
from outreach.extensions import db
from outreach.organisation import images, settings, share
from outreach.organisation.forms import CampaignImageForm, OrganisationForm
from outreach.organisation.models import SETTINGS_ID, CampaignImage, Organisation
from outreach.security import accepts_files

bp = Blueprint("organisation", __name__)
admin_bp = Blueprint("organisation_admin", __name__, url_prefix="/admin")
protect(admin_bp)

TEXT_FIELDS = tuple(settings.FIELDS)
IMAGE_CACHE_SECONDS = 24 * 3600


@bp.app_context_processor
def organisation_details() -> dict[str, object]:
    """Every page knows who runs the site (the footer, the about page, the privacy statement, link previews)."""
    return {"site": settings.current(), "share_preview": share.preview}


@bp.app_template_global()
def campaign_picture(campaign: Campaign) -> dict[str, object] | None:
    """A campaign's picture for its page: where it is, what it shows (in the visitor's language), its size."""
    image = db.session.get(CampaignImage, campaign.id)
    if image is None:
        return None
    alt = image.alt_en if str(get_locale()) == "en" and image.alt_en else image.alt_nl
    version = int(image.updated_at.timestamp())
    return {
        "src": url_for("organisation.campaign_image", campaign_id=campaign.id, v=version),
        "alt": alt,
        "width": image.width,
        "height": image.height,
    }


@bp.get("/about")
def about() -> str:
    """Who runs this site and how to reach them."""
    return render_template("organisation/about.html")


def _picture(data: bytes, content_type: str) -> Response:
    """A stored picture, cached by browsers for a day (its link changes when it is replaced)."""
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("/media/logo")
def logo() -> Response:
    """The organisation's logo."""
    row = settings.row()
    if row is None or not row.logo or not row.logo_type:
        abort(404)
    return _picture(row.logo, row.logo_type)


@bp.get("/media/campaigns/<int:campaign_id>/image")
def campaign_image(campaign_id: int) -> Response:
    """A campaign's picture (not a draft's: drafts are not public)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    image = db.session.get(CampaignImage, campaign_id)
    if image is None or (campaign.status == DRAFT and not current_user.is_authenticated):
        abort(404)
    response = _picture(image.data, image.content_type)
    if campaign.status == DRAFT:  # only organisers see it yet: no shared cache may keep it
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links to."""
    return redirect(url_for("static", filename="favicon.png"), code=301)


@admin_bp.route("/organisation", methods=["GET", "POST"])
@accepts_files("logo")
@requires_role("admin")
def edit() -> str | Response | tuple[str, int]:
    """Admins fill in who runs the site; each empty field uses the environment's value, shown as a hint."""
    row = settings.row()
    form = OrganisationForm(obj=row)
    if form.validate_on_submit():
        picture = _uploaded(form.logo)
        if picture is not None and not (form.logo_alt.data or "").strip() and not (row and row.logo_alt):
            form.logo_alt.errors = [str(lazy_gettext("Describe the logo for people who cannot see it."))]
        if not form.logo.errors and not form.logo_alt.errors:
            return _save(row, form, picture)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "organisation/edit.html", form=form, row=row, config=current_app.config, fields=settings.FIELDS
    ), status


def _uploaded(field: FileField) -> images.Picture | None:
    """The picture uploaded in a form's file field, checked; None when none was chosen or it is no picture (the field
    then says why)."""
    upload = field.data
    if not (upload and getattr(upload, "filename", "")):
        return None
    try:
        return images.check(upload.read())
    except images.NotAnImage as error:
        field.errors = [str(error)]
        return None


def _save(row: Organisation | None, form: OrganisationForm, picture: images.Picture | None) -> Response:
    begin_write()
    row = row or settings.row()
    if row is None:
        row = Organisation(id=SETTINGS_ID)
        db.session.add(row)
    for name in TEXT_FIELDS:
        value = (getattr(form, name).data or "").replace("\r\n", "\n").strip()
        setattr(row, name, value or None)
    row.logo_alt = (form.logo_alt.data or "").strip() or row.logo_alt
    changed = "details"
    if form.remove_logo.data:
        row.logo = row.logo_type = row.logo_alt = None
        changed = "details, logo removed"
    elif picture is not None:
        row.logo, row.logo_type = picture.data, picture.content_type
        changed = "details, new logo"
    row.updated_at = utcnow()
    audit("organisation edited", row, changed)
    db.session.commit()
    flash(lazy_gettext("The organisation's details are saved."), "success")
    return redirect(url_for(".edit"))


@admin_bp.route("/campaigns/<int:campaign_id>/image", methods=["GET", "POST"])
@accepts_files("image")
def edit_campaign_image(campaign_id: int) -> str | Response | tuple[str, int]:
    """Organisers give a campaign its picture, with the text that describes it; or remove it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    image = db.session.get(CampaignImage, campaign_id)
    form = CampaignImageForm(obj=image)
    if request.method == "POST" and request.form.get("action") == "remove":
        if image is not None:
            begin_write()
            db.session.delete(image)
            audit("campaign image removed", campaign)
            db.session.commit()
        flash(lazy_gettext("The picture is removed."), "success")
        return redirect(url_for(".edit_campaign_image", campaign_id=campaign.id))
    if form.validate_on_submit():
        picture = _uploaded(form.image)
        if picture is None and not form.image.errors and image is None:
            form.image.errors = [str(lazy_gettext("Choose a file to upload."))]
        if not form.image.errors:
            begin_write()
            if image is None:
                assert picture is not None
                image = CampaignImage(campaign_id=campaign.id)
                db.session.add(image)
            if picture is not None:
                image.data, image.content_type = picture.data, picture.content_type
                image.width, image.height = picture.width, picture.height
            image.alt_nl = form.alt_nl.data.strip()
            image.alt_en = (form.alt_en.data or "").strip() or None
            image.updated_at = utcnow()
            audit("campaign image", campaign, "new picture" if picture else "description")
            db.session.commit()
            flash(lazy_gettext("The picture is saved."), "success")
            return redirect(url_for(".edit_campaign_image", campaign_id=campaign.id))
    status = 400 if request.method == "POST" else 200
    return render_template("organisation/campaign_image.html", campaign=campaign, image=image, form=form), status
