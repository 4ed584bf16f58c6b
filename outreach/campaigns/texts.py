"""A campaign's own words in a chosen language: its title and its other texts, Dutch when there is no translation.
Pages, e-mails and other rooms all read them here."""

from outreach.campaigns.models import Campaign


def title(campaign: Campaign, language: str) -> str:
    """The campaign's title in `language` ("nl" or "en"), the Dutch one when it has no English title."""
    return campaign.title_en if language == "en" and campaign.title_en else campaign.title_nl


def text(campaign: Campaign, field: str, language: str) -> str:
    """A campaign's intro (or other `field`) in `language`, the Dutch text when there is no translation."""
    if language == "en" and getattr(campaign, f"{field}_en", None):
        return getattr(campaign, f"{field}_en")
    return getattr(campaign, f"{field}_nl") or ""
