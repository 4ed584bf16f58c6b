"""Embeds on partners' websites: the campaign's card in a frame, allowed only on the origins its organiser lists
(Content-Security-Policy: frame-ancestors). The frame's button opens the supporter's path in a new tab at the
campaign's own site, so it works without JavaScript and with third-party cookies blocked, attributed as
ref=embed:<host>."""

import re
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_babel import lazy_gettext
from markupsafe import escape
from wtforms import Field, Form, ValidationError

from outreach.campaigns import bp, stats
from outreach.campaigns.models import DRAFT, Campaign
from outreach.extensions import db
from outreach.urls import public_url

REF_PREFIX = "embed:"
HOST_MAX = 40 - len(REF_PREFIX)  # the attribution embed:<host> fits the width of submission.ref
FRAME_HEIGHT = 520  # the snippet's height before the sizing script (if any) adjusts it
# A host name (letters, digits, hyphens, dots) or localhost; an optional port.
HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def normal_origins(value: str | None) -> str | None:
    """The organiser's list tidied: one origin a line, lower-case, without trailing slashes, blank lines or repeats."""
    if value is None:
        return None
    lines: list[str] = []
    for line in value.splitlines():
        line = line.strip().lower().rstrip("/")
        if line and line not in lines:
            lines.append(line)
    return "\n".join(lines)


def origin_problem(origin: str) -> str | None:
    """Why a line is not an origin a frame may be shown on (None when it is one)."""
    parts = urlsplit(origin)
    try:
        port = parts.port
    except ValueError:
        return str(lazy_gettext("%(origin)s: the port must be a number.", origin=origin))
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return str(lazy_gettext("%(origin)s: write an origin like https://partner.example.", origin=origin))
    if parts.path or parts.query or parts.fragment:
        return str(lazy_gettext("%(origin)s: give only the site's origin, without a page path or ?.", origin=origin))
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        return str(lazy_gettext("%(origin)s: a partner's site must use https://.", origin=origin))
    if not HOST.match(host) or port == 0:
        return str(lazy_gettext("%(origin)s: this is not a valid host name.", origin=origin))
    if len(host) > HOST_MAX:
        return str(
            lazy_gettext(
                "%(origin)s: the host name may have at most %(count)d characters, so that the report can name it.",
                origin=origin,
                count=HOST_MAX,
            )
        )
    return None


def validate_origins(_form: Form, field: Field) -> None:
    """Every listed line is an https origin (or a local http one for testing)."""
    problems = [problem for line in (field.data or "").splitlines() if (problem := origin_problem(line))]
    if problems:
        raise ValidationError(" ".join(problems))


def allowed_origins(campaign: Campaign) -> list[str]:
    """The origins whose pages may frame the campaign, as the organiser listed them."""
    return [line for line in (campaign.embed_origins or "").splitlines() if line]


def host_of(origin: str) -> str:
    """The host of an origin, as it appears in the attribution embed:<host>."""
    return urlsplit(origin).hostname or ""


def listed_origin(campaign: Campaign, host: str | None) -> str | None:
    """The listed origin with this host (the frame's ?host=), or None: an unknown host gets no attribution."""
    host = (host or "").strip().lower()
    return next((origin for origin in allowed_origins(campaign) if host and host_of(origin) == host), None)


def snippets(campaign: Campaign) -> list[tuple[str, str]]:
    """Per listed origin: the frame to paste into the partner's page (and the optional sizing script)."""
    title = lazy_gettext("Campaign: %(title)s", title=campaign.title_nl)
    script = public_url("static", filename="embed.js")
    result = []
    for origin in allowed_origins(campaign):
        src = public_url("campaigns.embed", slug=campaign.slug, host=host_of(origin))
        frame = (
            f'<iframe src="{src}" title="{escape(str(title))}" width="100%" height="{FRAME_HEIGHT}" '
            f'loading="lazy" style="border:0" data-outreach-embed></iframe>\n'
            f'<script src="{script}" async></script>'
        )
        result.append((origin, frame))
    return result


@bp.get("/campaigns/<slug>/embed")
def embed(slug: str) -> str:
    """The campaign's card for a partner's page: title, picture, intro, counter and a button that opens the way to
    write in a new tab. Shown in frames only on the listed origins; sets no cookies."""
    campaign = db.one_or_404(db.select(Campaign).where(Campaign.slug == slug))
    if campaign.status == DRAFT:
        abort(404)  # a partner's page never shows a draft, not even to an organiser
    request.frame_ancestors = allowed_origins(campaign)  # type: ignore[attr-defined]  (read by security.py)
    origin = listed_origin(campaign, request.args.get("host"))
    ref = f"{REF_PREFIX}{host_of(origin)}" if origin else None
    return render_template(
        "campaigns/embed.html",
        campaign=campaign,
        totals=stats.public_totals(campaign),
        link=public_url("campaigns.show", slug=campaign.slug, ref=ref),
        parent_origin=origin,
    )


bp.add_app_template_global(snippets, "embed_snippets")
