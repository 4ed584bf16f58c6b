"""Reading campaigns for other pages."""

from sqlalchemy import select

from outreach.campaigns.models import LIVE, Campaign
from outreach.extensions import db


def live_campaigns() -> list[Campaign]:
    """Campaigns open for letters, newest first (the home page lists them)."""
    return list(
        db.session.scalars(select(Campaign).where(Campaign.status == LIVE).order_by(Campaign.created_at.desc()))
    )
