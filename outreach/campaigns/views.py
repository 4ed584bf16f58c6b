"""The supporter's path: campaign page → choose recipients → the letter (edit, preview, details, consent) → check
your mail → confirm. Works without JavaScript; every step is a plain form."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from outreach.campaigns import bp, hooks, stats, targets, texts, tokens
from outreach.campaigns.models import DRAFT, LIVE, Campaign, Submission
from outreach.database import utcnow
from outreach.directory import cache, queries
from outreach.directory.labels import ROLE_LABELS
from outreach.directory.models import Committee
from outreach.extensions import db
from outreach.i18n import page_language

REF_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789:._-")
REF_MAX_LENGTH = 40  # the width of submission.ref
CHECK_MAIL_KEY = "check_mail"  # the session's note of the submission whose confirmation e-mail is on its way
CLOSED = lazy_gettext("This campaign is not taking new letters at the moment.")
# What decides whether the chooser kept for a campaign is still right (built once: it is asked on every visit).
CAMPAIGN_STATE = select(Campaign.id, Campaign.status, Campaign.updated_at).where(Campaign.slug == bindparam("slug"))


def campaign_or_404(slug: str) -> Campaign:
    """A campaign the visitor may see: any but drafts, which only organisers see (to check them)."""
    campaign = db.one_or_404(db.select(Campaign).where(Campaign.slug == slug))
    if not may_see(campaign.status):
        abort(404)
    return campaign


def may_see(status: str) -> bool:
    """Whether the visitor may see a campaign in this state: drafts only organisers see."""
    return status != DRAFT or current_user.is_authenticated


def clean_ref(value: str | None) -> str | None:
    """The source a visitor came from (?ref=partner, ?ref=share:whatsapp), kept when it is a short plain token."""
    value = (value or "").strip().lower()
    return value if value and len(value) <= REF_MAX_LENGTH and set(value) <= REF_CHARS else None


@bp.app_template_global()
def campaign_title(campaign: Campaign | int | None) -> str:
    """A campaign's title in the visitor's language (also for pages that only know its number)."""
    if isinstance(campaign, int):
        campaign = db.session.get(Campaign, campaign)
    if campaign is None:
        return ""
    return texts.title(campaign, page_language())


@bp.app_template_global()
def campaign_text(campaign: Campaign, field: str) -> str:
    """A campaign's intro (or other text) in the visitor's language, Dutch when there is no translation."""
    return texts.text(campaign, field, page_language())


@bp.app_template_global()
def campaign_sections(campaign: Campaign) -> list:
    """What other rooms add to the public campaign page (the coming debate, the outcome ledger)."""
    return hooks.sections(campaign)


@bp.get("/campaigns/<slug>")
def show(slug: str) -> str:
    """The campaign: what it asks, its goal and counter, and the way to write."""
    campaign = campaign_or_404(slug)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        totals=stats.public_totals(campaign),
        ref=clean_ref(request.args.get("ref")),
    )


@bp.get("/campaigns/<slug>/choose")
def choose(slug: str) -> tuple[str, int] | Response:
    """Choose the recipients: search by name, party, committee and role; add a whole committee (as far as a letter's
    limit allows, its chair and vice-chair first), a committee's own address or another address; then continue."""
    # Shared in community groups, the chooser is most visitors' first step: anonymous visitors get the page rendered
    # before for the same address while the directory and the campaign are unchanged (never a refusal or redirect).
    # Only the campaign's status and last edit are read for that; the whole campaign when the page is rendered.
    found = db.session.connection().execute(CAMPAIGN_STATE, {"slug": slug}).first()
    if found is None or not may_see(found.status):
        abort(404)
    return cache.cached(
        lambda: _choose(db.session.get_one(Campaign, found.id), slug),
        key=tuple(found),
        keep=lambda page: isinstance(page, tuple) and page[1] == 200,
    )


def _choose(campaign: Campaign, slug: str) -> tuple[str, int] | Response:
    args = request.args
    removed = args.get("remove")  # a chip's remove button, without JavaScript
    action = "remove" if removed else args.get("action")
    keys = [key for key in args.getlist("to") if key and key != removed][:200]
    error = None
    if action is None and not keys:
        keys = hooks.preselected(campaign)
    if action is None and not keys and campaign.preselect_committee:
        keys = [t.key for t in targets.committee_leaders(campaign, campaign.preselect_committee)]
    chosen, bad = targets.resolve(campaign, keys)
    parties = queries.current_parties()
    committees = queries.active_committees()
    added = None
    if action == "add" and args.get("add_committee"):
        added = _add_committee(campaign, chosen, committees, args["add_committee"])
    if action == "continue":
        if not chosen:
            error = lazy_gettext("Choose at least one recipient.")
        elif len(chosen) > campaign.max_recipients:
            error = lazy_gettext(
                "A letter can go to at most %(max)d recipients; you chose %(count)d.",
                max=campaign.max_recipients,
                count=len(chosen),
            )
        elif campaign.status != LIVE:
            error = CLOSED
        else:
            return redirect(url_for(".write", slug=slug, to=[t.key for t in chosen], ref=clean_ref(args.get("ref"))))
    wanted = queries.parse_member_filter(
        args.to_dict(flat=True), [p.abbreviation for p, _ in parties], [c.abbreviation for c, _ in committees]
    )
    chosen_keys = {t.key for t in chosen}
    found = [
        t for t in map(targets.member_target, targets.eligible_members(campaign, wanted)) if t.key not in chosen_keys
    ]
    offices = [
        *map(targets.committee_target, targets.committee_targets(campaign)),
        *map(targets.extra_target, targets.extra_targets(campaign)),
    ]
    return render_template(
        "campaigns/choose.html",
        campaign=campaign,
        chosen=chosen,
        found=found,
        offices=[t for t in offices if t.key not in chosen_keys],
        wanted=wanted,
        parties=parties,
        committees=committees,
        add_committee=args.get("add_committee") if action == "add" else wanted.committee,
        added=added,
        roles=ROLE_LABELS,
        not_selectable=targets.NOT_SELECTABLE,
        error=error,
        dropped=len(bad),
        ref=clean_ref(args.get("ref")),
    ), 400 if error else 200


def _add_committee(
    campaign: Campaign, chosen: list[targets.Target], committees: list[tuple[Committee, int]], abbreviation: str
) -> dict[str, object] | None:
    """Add a committee's members to `chosen` up to the letter's limit; what was added and who was left out."""
    committee = next((c for c, _ in committees if c.abbreviation == abbreviation), None)
    if committee is None:
        return None
    chosen_keys = {t.key for t in chosen}
    candidates = [t for t in targets.committee_members(campaign, abbreviation) if t.key not in chosen_keys]
    room = max(campaign.max_recipients - len(chosen), 0)
    chosen.extend(candidates[:room])
    return {"committee": committee, "added": candidates[:room], "left_out": candidates[room:]}


def submission_from(token: str, salt: str, max_age: int) -> Submission:
    """The submission a link's token names: 400 when the token is not ours, 410 when it expired or is gone."""
    state, submission_id = tokens.load(token, salt, max_age)
    if state == tokens.INVALID:
        abort(400)
    submission = db.session.get(Submission, submission_id) if submission_id is not None else None
    if submission is None:
        abort(410)
    return submission


@bp.get("/campaigns/own-mail/<token>")
def own_mail(token: str) -> str:
    """A letter the supporter sends from their own mail program: one set of links per recipient."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    submission = submission_from(token, tokens.OWN_MAIL_SALT, current_app.config["OWN_MAIL_VALID_SECONDS"])
    return render_template(
        "campaigns/own_mail.html",
        submission=submission,
        campaign=submission.campaign,
        token=token,
        links=stats.mail_links,
    )


@bp.get("/campaigns/own-mail/<token>/<int:letter_id>/<via>")
def open_in_mail_program(token: str, letter_id: int, via: str) -> Response:
    """Record that a letter was opened in a mail program, then open it there."""
    request.token_page = True  # type: ignore[attr-defined]
    submission = submission_from(token, tokens.OWN_MAIL_SALT, current_app.config["OWN_MAIL_VALID_SECONDS"])
    letter = next((letter for letter in submission.letters if letter.id == letter_id), None)
    links = stats.mail_links(letter, submission.campaign) if letter is not None else {}
    if via not in links:
        abort(404)
    stats.record_opened(letter, utcnow())
    db.session.commit()
    return redirect(links[via])
