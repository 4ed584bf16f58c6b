"""The organisation's settings (one row) and the image each campaign shows and shares."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db

SETTINGS_ID = 1


class Organisation(db.Model):
    """Who runs this site, as supporters, members' offices and the privacy statement see it. Each empty field falls
    back to its ORGANISATION_* / PRIVACY_* setting in the environment."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(Text)
    privacy_controller: Mapped[str | None] = mapped_column(String(300))
    privacy_contact: Mapped[str | None] = mapped_column(String(254))
    privacy_processors: Mapped[str | None] = mapped_column(Text)  # one per line
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(40))
    logo_alt: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class CampaignImage(db.Model):
    """The picture on a campaign's page and in the preview of a shared link, with the text that describes it."""

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt_nl: Mapped[str] = mapped_column(String(300))
    alt_en: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
