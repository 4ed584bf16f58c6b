"""Where rooms further down the line add to a campaign without this room knowing them (the agenda does, for one).

Each hook is a list of functions, registered when their room is imported; an empty list changes nothing.
"""

from collections.abc import Callable

from flask import has_request_context, request
from markupsafe import Markup

from outreach.campaigns.models import Campaign

# Recipient keys to pre-select in the chooser when the supporter has chosen none yet.
preselections: list[Callable[[Campaign], list[str]]] = []
# Values of placeholders that are the same in every letter of the campaign, in the letter's language.
letter_values: list[Callable[[Campaign, str], dict[str, str]]] = []
# Sections of the public campaign page, already rendered.
page_sections: list[Callable[[Campaign], Markup | None]] = []


def preselected(campaign: Campaign) -> list[str]:
    """The recipients some room wants pre-selected for this campaign now (the first that has any)."""
    for hook in preselections:
        if keys := hook(campaign):
            return keys
    return []


def campaign_values(campaign: Campaign, language: str) -> dict[str, str]:
    """The rooms' placeholder values for the campaign, asked once per request and language: a letter page fills the
    letter once for every recipient, and each ask reads the agenda's actions."""
    memo: dict = request.__dict__.setdefault("campaign_values", {}) if has_request_context() and campaign.id else {}
    values = memo.get((campaign.id, language))
    if values is None:
        values = memo[(campaign.id, language)] = {}
        for hook in letter_values:
            values.update(hook(campaign, language))
    return dict(values)


def sections(campaign: Campaign) -> list[Markup]:
    return [section for hook in page_sections if (section := hook(campaign)) is not None]
