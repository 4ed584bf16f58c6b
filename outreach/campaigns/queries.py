"""Reading campaigns for other pages."""

from sqlalchemy import select

from outreach.campaigns.models import LIVE, PAUSED, Campaign
from outreach.extensions import db


def live_campaigns() -> list[Campaign]:
    """Campaigns open for letters, newest first (the home page lists them)."""
    return list(
        db.session.scalars(select(Campaign).where(Campaign.status == LIVE).order_by(Campaign.created_at.desc()))
    )


def is_paused(campaign_id: int | None) -> bool:
    """Whether the campaign is paused, so that none of its messages may be sent (the campaign's status is the one
    kill switch)."""
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    return campaign is not None and campaign.status == PAUSED
