"""Share links for the thank-you page: plain links to each app's own share address (no third-party scripts), each
carrying ?ref=share:<channel> so that the campaign's report shows where the next supporters came from."""

from urllib.parse import quote, urlencode

from flask_babel import gettext, lazy_gettext

from outreach.campaigns.models import Campaign
from outreach.campaigns.texts import title
from outreach.urls import public_url

# (channel, label) in the order shown; Signal has no share address of its own: the phone's share button reaches it.
CHANNELS = (
    ("whatsapp", "WhatsApp"),
    ("telegram", "Telegram"),
    ("email", lazy_gettext("E-mail")),
    ("x", "X"),
    ("facebook", "Facebook"),
    ("linkedin", "LinkedIn"),
)


def campaign_link(campaign: Campaign, channel: str) -> str:
    """The campaign's page, marked with where the visitor will have come from."""
    return public_url("campaigns.show", slug=campaign.slug, ref=f"share:{channel}")


def share_text(campaign: Campaign, language: str) -> str:
    return gettext(
        "I wrote to the members of the Tweede Kamer: “%(title)s”. It takes five minutes; will you write too?",
        title=title(campaign, language),
    )


def share_links(campaign: Campaign, language: str) -> list[tuple[str, str, str]]:
    """(channel, label, link) for each app, in the visitor's language."""
    text = share_text(campaign, language)
    links = []
    for channel, label in CHANNELS:
        url = campaign_link(campaign, channel)
        href = {
            "whatsapp": "https://wa.me/?" + urlencode({"text": f"{text} {url}"}, quote_via=quote),
            "telegram": "https://t.me/share/url?" + urlencode({"url": url, "text": text}, quote_via=quote),
            "email": "mailto:?"
            + urlencode({"subject": title(campaign, language), "body": f"{text}\n\n{url}"}, quote_via=quote),
            "x": "https://x.com/intent/post?" + urlencode({"text": text, "url": url}, quote_via=quote),
            "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}, quote_via=quote),
            "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}, quote_via=quote),
        }[channel]
        links.append((channel, str(label), href))
    return links
