"""Posters and QR codes (organiser pages): for a campaign and a poster name (`ref`, "station", "library"), a QR code
that opens the campaign's page with ?ref=poster:<ref>, so the report shows how many supporters each poster brought,
and a printable A4 poster in one of the campaign's languages."""

from io import BytesIO
from urllib.parse import urlsplit

import segno
from flask import abort, render_template, request
from flask_babel import force_locale, lazy_gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from outreach.campaigns import texts
from outreach.campaigns.admin import bp
from outreach.campaigns.models import Campaign
from outreach.campaigns.reading import reading_languages, translation
from outreach.campaigns.views import REF_CHARS as SOURCE_CHARS
from outreach.campaigns.views import REF_MAX_LENGTH
from outreach.extensions import db
from outreach.urls import parse_id, public_url

PREFIX = "poster:"
DEFAULT_REF = "poster"
REF_CHARS = SOURCE_CHARS - {":"}  # a source's characters, but the poster name is one part of poster:<ref>
REF_LENGTH = REF_MAX_LENGTH - len(PREFIX)  # the whole source must fit submission.ref
CALL_LENGTH = 300
BAD_REF = lazy_gettext(
    "A poster name may use only the letters a–z, digits, dots, dashes and underscores, at most %(num)d characters."
)
BAD_LANGUAGE = lazy_gettext("This campaign has no text in that language.")
LONG_CALL = lazy_gettext("The call on the poster may be at most %(num)d characters.")


def poster_ref(value: str | None) -> str | None:
    """The poster's name as typed (lower-cased), or None when it is not a short plain token; empty gives the
    default."""
    value = (value or "").strip().lower() or DEFAULT_REF
    return value if len(value) <= REF_LENGTH and set(value) <= REF_CHARS else None


def poster_link(campaign: Campaign, ref: str) -> str:
    """The campaign's public page as the QR code opens it, marked as reached from this poster."""
    return public_url("campaigns.show", slug=campaign.slug, ref=PREFIX + ref)


def short_link(campaign: Campaign) -> str:
    """The campaign's address as a person types it off a poster: no scheme, no source."""
    parts = urlsplit(public_url("campaigns.show", slug=campaign.slug))
    return parts.netloc.removeprefix("www.") + parts.path


def campaign_languages(campaign: Campaign) -> list[str]:
    """The languages the campaign's page can be read in: Dutch, English when it has an English title, and each
    reading translation it has."""
    languages = ["nl"] + (["en"] if campaign.title_en else [])
    return languages + [code for code in reading_languages() if translation(campaign, code)]


def qr_code(campaign: Campaign, ref: str) -> segno.QRCode:
    return segno.make(poster_link(campaign, ref), error="m")


def campaign_or_404(campaign_id: str) -> Campaign:
    number = parse_id(campaign_id)
    if number is None:
        abort(404)
    return db.get_or_404(Campaign, number)


def _choices(campaign: Campaign) -> tuple[str | None, str, str, list[str]]:
    """The request's poster name, language and call, with the first problem found (None when all is well)."""
    args = request.args
    languages = campaign_languages(campaign)
    ref = poster_ref(args.get("ref"))
    language = args.get("lang") or languages[0]
    call = (args.get("call") or "").strip()
    errors = []
    if ref is None:
        errors.append(BAD_REF % {"num": REF_LENGTH})
    if language not in languages:
        errors.append(str(BAD_LANGUAGE))
        language = languages[0]
    if len(call) > CALL_LENGTH:
        errors.append(LONG_CALL % {"num": CALL_LENGTH})
    return ref, language, call, errors


@bp.get("/<campaign_id>/poster")
def poster(campaign_id: str) -> tuple[str, int]:
    """Where the organiser names a poster, picks its language and call, and gets the poster and its QR code."""
    campaign = campaign_or_404(campaign_id)
    ref, language, call, errors = _choices(campaign)
    return render_template(
        "campaigns/admin/poster.html",
        campaign=campaign,
        ref=ref if ref is not None else request.args.get("ref", ""),
        language=language,
        call=call,
        errors=errors,
        languages=campaign_languages(campaign),
        ref_length=REF_LENGTH,
        call_length=CALL_LENGTH,
        link=None if errors else poster_link(campaign, ref),
    ), (400 if errors else 200)


@bp.get("/<campaign_id>/poster/print")
def poster_print(campaign_id: str) -> tuple[str, int]:
    """The A4 poster itself, in the chosen language: title, picture, call, the QR code and the address written
    out."""
    campaign = campaign_or_404(campaign_id)
    ref, language, call, errors = _choices(campaign)
    if errors:
        return poster(campaign_id)
    with force_locale(language):
        return render_template(
            "campaigns/poster_print.html",
            campaign=campaign,
            language=language,
            ref=ref,
            call=call or first_paragraph(texts.text(campaign, "intro", language)),
            code=Markup(qr_code(campaign, ref).svg_inline(scale=10, border=4, svgclass="poster-qr", omitsize=True)),
            short=short_link(campaign),
        ), 200


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


@bp.get("/<campaign_id>/poster/qr.<kind>")
def poster_qr(campaign_id: str, kind: str) -> Response | tuple[str, int]:
    """The poster's QR code to download, as SVG (for printers and designers) or PNG."""
    campaign = campaign_or_404(campaign_id)
    ref, _language, _call, errors = _choices(campaign)
    if kind not in ("svg", "png"):
        abort(404)
    if errors:
        return poster(campaign_id)
    out = BytesIO()
    qr_code(campaign, ref).save(out, kind=kind, scale=10 if kind == "png" else 4, border=4)
    response = Response(out.getvalue(), mimetype="image/svg+xml" if kind == "svg" else "image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{ref}.{kind}"'
    return response
