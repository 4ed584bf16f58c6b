"""What a shared link shows (Open Graph and Twitter card tags): the page's title and description, a picture and
the page's own address, all absolute, since the apps that draw the preview fetch them from outside."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import get_locale, gettext
from sqlalchemy.exc import SQLAlchemyError

from outreach.campaigns import texts
from outreach.campaigns.models import DRAFT, Campaign
from outreach.extensions import db
from outreach.i18n import page_language
from outreach.organisation import settings
from outreach.organisation.models import CampaignImage

DESCRIPTION_LENGTH = 200


@dataclass(frozen=True)
class Preview:
    title: str
    description: str
    url: str
    image: str
    image_alt: str
    large: bool  # a wide picture (a campaign's) gets the large card


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _excerpt(text: str) -> str:
    first = " ".join((text or "").split("\n\n")[0].split())
    return first if len(first) <= DESCRIPTION_LENGTH else first[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _campaign() -> Campaign | None:
    slug = (request.view_args or {}).get("slug")
    if not slug or not (request.endpoint or "").startswith("campaigns."):
        return None
    try:
        campaign = db.session.scalar(db.select(Campaign).where(Campaign.slug == slug))
    except SQLAlchemyError:  # the busy-database page still renders, with the site's own preview
        db.session.rollback()
        return None
    return None if campaign is None or campaign.status == DRAFT else campaign


def preview(page_title: str) -> Preview:
    """The preview of the page being shown: a campaign's own title, intro and picture on its pages; otherwise the
    organisation's name, description and logo; the site's own picture when none was uploaded."""
    site = settings.current()
    site_name = site.name or "Outreach"
    url = _absolute(request.path)  # without ?ref= or other parameters: one address per page
    image = _absolute(url_for("static", filename="share.png"))
    image_alt = gettext("An envelope on its way to the Tweede Kamer")
    large = True
    description = site.description or gettext(
        "Write to the members of the Tweede Kamer you choose, in your own name and your own words."
    )
    title = page_title
    campaign = _campaign()
    if campaign is not None:
        title = texts.title(campaign, page_language())
        description = _excerpt(texts.text(campaign, "intro", page_language())) or description
        picture = db.session.get(CampaignImage, campaign.id)
        if picture is not None:
            version = int(picture.updated_at.timestamp())
            image = _absolute(url_for("organisation.campaign_image", campaign_id=campaign.id, v=version))
            image_alt = (picture.alt_en if str(get_locale()) == "en" and picture.alt_en else picture.alt_nl) or ""
            return Preview(title, description, url, image, image_alt, picture.width >= 1.5 * picture.height)
    elif site.logo_version is not None:
        image = _absolute(url_for("organisation.logo", v=site.logo_version))
        image_alt, large = site.logo_alt or site_name, False
    return Preview(title or site_name, description, url, image, image_alt, large)
