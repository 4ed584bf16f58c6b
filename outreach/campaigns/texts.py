"""A campaign's own words in a chosen language: its title and its other texts, Dutch when there is no translation.
Pages, e-mails and other rooms all read them here."""

from outreach.campaigns.models import Campaign
from outreach.campaigns.reading import reading_text


def title(campaign: Campaign, language: str) -> str:
    """The campaign's title in `language`: its English title, its reading translation's (Turkish, say), else the
    Dutch one."""
    if language == "en" and campaign.title_en:
        return campaign.title_en
    return reading_text(campaign, language, "title") or campaign.title_nl


def text(campaign: Campaign, field: str, language: str) -> str:
    """A campaign's intro (or other `field`) in `language`: in English, or its reading translation's (Turkish, say),
    else the Dutch text."""
    if language == "en" and getattr(campaign, f"{field}_en", None):
        return getattr(campaign, f"{field}_en")
    return reading_text(campaign, language, field) or getattr(campaign, f"{field}_nl") or ""
