"""The supporter's path: campaign page → choose recipients → the letter (edit, preview, details, consent) → check
your mail → confirm. Works without JavaScript; every step is a plain form."""

import time
from collections.abc import Mapping

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from outreach.campaigns import bp, letters, stats, submit, targets, tokens
from outreach.campaigns.confirmation import confirm as confirm_submission
from outreach.campaigns.forms import LetterForm
from outreach.campaigns.models import DRAFT, LIVE, OWN_MAIL, SEND, Campaign, Submission
from outreach.database import utcnow
from outreach.directory import queries
from outreach.directory.models import Committee
from outreach.directory.views import ROLE_LABELS
from outreach.extensions import db, limiter

REF_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
CLOSED = lazy_gettext("This campaign is not taking new letters at the moment.")


def campaign_or_404(slug: str) -> Campaign:
    """A campaign the visitor may see: any but drafts, which only organisers see (to check them)."""
    campaign = db.one_or_404(db.select(Campaign).where(Campaign.slug == slug))
    if campaign.status == DRAFT and not current_user.is_authenticated:
        abort(404)
    return campaign


def clean_ref(value: str | None) -> str | None:
    """The source a visitor came from (?ref=partner), kept when it is a short plain word."""
    value = (value or "").strip().lower()[:40]
    return value if value and set(value) <= REF_CHARS else None


def page_language() -> str:
    return str(get_locale())


@bp.app_template_global()
def campaign_title(campaign: Campaign | int | None) -> str:
    """A campaign's title in the visitor's language (also for pages that only know its number)."""
    if isinstance(campaign, int):
        campaign = db.session.get(Campaign, campaign)
    if campaign is None:
        return ""
    return submit.title(campaign, page_language())


@bp.app_template_global()
def campaign_text(campaign: Campaign, field: str) -> str:
    """A campaign's intro (or other text) in the visitor's language, Dutch when there is no translation."""
    if page_language() == "en" and getattr(campaign, f"{field}_en", None):
        return getattr(campaign, f"{field}_en")
    return getattr(campaign, f"{field}_nl") or ""


@bp.get("/campaigns/<slug>")
def show(slug: str) -> str:
    """The campaign: what it asks, its goal and counter, and the way to write."""
    campaign = campaign_or_404(slug)
    return render_template(
        "campaigns/show.html", campaign=campaign, totals=stats.totals(campaign), ref=clean_ref(request.args.get("ref"))
    )


@bp.get("/campaigns/<slug>/choose")
def choose(slug: str) -> str | Response:
    """Choose the recipients: search by name, party, committee and role; add a whole committee (as far as a letter's
    limit allows, its chair and vice-chair first), a committee's own address or another address; then continue."""
    campaign = campaign_or_404(slug)
    args = request.args
    removed = args.get("remove")  # a chip's remove button, without JavaScript
    action = "remove" if removed else args.get("action")
    keys = [key for key in args.getlist("to") if key and key != removed][:200]
    error = None
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


def _write_limit() -> str:
    return current_app.config["SUBMISSION_LIMIT_PER_IP"]


@bp.route("/campaigns/<slug>/letter", methods=["GET", "POST"])
@limiter.limit(_write_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 302)
def write(slug: str) -> str | Response | tuple[str, int]:
    """The letter: edit it, see it as each recipient will, give name, address and consent, and send (or take it to
    your own mail program). A form with mistakes comes back with everything typed still in it."""
    request.personal_data = True  # type: ignore[attr-defined]
    campaign = campaign_or_404(slug)
    source = request.form if request.method == "POST" else request.args
    chosen, bad = targets.resolve(campaign, source.getlist("to")[:200])
    if not chosen:
        return redirect(url_for(".choose", slug=slug))
    languages = submit.letter_languages(campaign)
    language = source.get("lang") if source.get("lang") in languages else _default_letter_language(languages)
    form = LetterForm()
    if request.method == "GET":
        form.subject.data, form.body.data = submit.template(campaign, language)
        form.form_token.data = tokens.form()
    errors: list[str] = []
    action = request.form.get("action", "preview")
    if request.method == "POST" and action in (SEND, OWN_MAIL):
        trap = _trapped(form)
        if trap:
            current_app.logger.info("letter form not accepted (%s); answered as if it were", trap)
            return redirect(url_for(".check_mail", slug=slug))
        errors = _problems(campaign, chosen, bad)
        if form.validate() and not errors:
            nonce, _issued = tokens.read_form(form.form_token.data)  # type: ignore[misc]
            draft = submit.Draft(
                campaign=campaign,
                targets=chosen,
                language=language,
                subject=" ".join(form.subject.data.split()),
                body=_normalise(form.body.data),
                name=" ".join(form.name.data.split()),
                email=form.email.data.strip(),
                place=" ".join((form.place.data or "").split()) or None,
                newsletter=bool(form.newsletter.data),
                nonce=nonce,
                ref=clean_ref(request.form.get("ref")),
                mode=action,
                page_language=page_language(),
            )
            try:
                submission = submit.submit(draft, utcnow())
            except submit.AddressLimitReached:
                errors.append(
                    str(
                        lazy_gettext(
                            "This e-mail address has sent as many letters as we accept for now. "
                            "Please try again tomorrow."
                        )
                    )
                )
                return _letter_page(campaign, form, chosen, language, languages, errors, source), 429
            if submission.mode == OWN_MAIL:
                return redirect(url_for(".own_mail", token=tokens.own_mail(submission.id)))
            return redirect(url_for(".check_mail", slug=slug))
    elif request.method == "POST":
        form.validate()  # a preview shows mistakes in what was typed so far, not what is still to be filled in
        for unfilled in (form.name, form.email, form.consent, form.subject, form.body):
            if not unfilled.data:
                unfilled.errors = []
        _refresh_token(form)
    status = 400 if (errors or form.errors) and action in (SEND, OWN_MAIL) else 200
    return _letter_page(campaign, form, chosen, language, languages, errors, source), status


def _letter_page(
    campaign: Campaign,
    form: LetterForm,
    chosen: list[targets.Target],
    language: str,
    languages: list[str],
    errors: list[str],
    source: Mapping[str, str],
) -> str:
    body = _normalise(form.body.data or "")
    template_body = submit.template(campaign, language)[1]
    previews = [
        (
            t,
            *submit.render(
                campaign,
                t,
                language,
                form.subject.data or "",
                body,
                form.name.data or str(lazy_gettext("[your name]")),
                form.place.data,
            ),
        )
        for t in chosen
    ]
    return render_template(
        "campaigns/write.html",
        campaign=campaign,
        form=form,
        chosen=chosen,
        language=language,
        languages=languages,
        previews=previews,
        personalised=letters.compare_with_template(body, template_body)[0],
        errors=errors,
        max_length=current_app.config["LETTER_MAX_LENGTH"],
        ref=clean_ref(source.get("ref")),
        placeholders=letters.PLACEHOLDERS,
    )


def _default_letter_language(languages: list[str]) -> str:
    """The visitor's language when the campaign has a letter in it, else the campaign's first (Dutch)."""
    return page_language() if page_language() in languages else (languages[0] if languages else "nl")


def _normalise(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def _problems(campaign: Campaign, chosen: list[targets.Target], bad: list[str]) -> list[str]:
    """What is wrong beyond the form's fields: the campaign, the recipients."""
    problems = []
    if campaign.status != LIVE:
        problems.append(str(CLOSED))
    if bad:
        problems.append(str(lazy_gettext("Some recipients can no longer be chosen; go back and choose again.")))
    if len(chosen) > campaign.max_recipients:
        problems.append(
            str(
                lazy_gettext(
                    "A letter can go to at most %(max)d recipients; you chose %(count)d.",
                    max=campaign.max_recipients,
                    count=len(chosen),
                )
            )
        )
    return problems


def _trapped(form: LetterForm) -> str | None:
    """Why a post looks like a robot's (honeypot filled, form sent too fast or too late, token not ours), or None."""
    if form.website.data:
        return "honeypot"
    token = tokens.read_form(form.form_token.data or "")
    if token is None:
        return "token"
    age = time.time() - token[1]
    config = current_app.config
    if age < config["FORM_MIN_SECONDS"]:
        return "too fast"
    if age > config["FORM_MAX_SECONDS"]:
        return "too old"
    return None


def _refresh_token(form: LetterForm) -> None:
    """Someone still previewing after a long while is no robot: their form gets a new lease of life (its nonce kept,
    so that the letter cannot be sent twice)."""
    token = tokens.read_form(form.form_token.data or "")
    if token is None:
        form.form_token.data = tokens.form()
        return
    nonce, issued = token
    if time.time() - issued > current_app.config["FORM_MAX_SECONDS"] / 2:
        form.form_token.data = tokens.form(time.time() - current_app.config["FORM_MIN_SECONDS"], nonce)


@bp.post("/campaigns/<slug>/meter")
def meter(slug: str) -> Response:
    """How much of the letter the supporter changed, for the meter that updates while they type."""
    campaign = campaign_or_404(slug)
    language = request.form.get("lang") if request.form.get("lang") in submit.letter_languages(campaign) else "nl"
    body = _normalise(request.form.get("body", ""))[: current_app.config["LETTER_MAX_LENGTH"] * 2]
    share = letters.compare_with_template(body, submit.template(campaign, language)[1])[0]
    return jsonify(personalised=round(share * 100))


@bp.get("/campaigns/<slug>/check-your-mail")
def check_mail(slug: str) -> str:
    """After sending the form: the confirmation e-mail is on its way."""
    campaign = campaign_or_404(slug)
    return render_template(
        "campaigns/check_mail.html", campaign=campaign, days=current_app.config["CONFIRM_VALID_SECONDS"] // 86400
    )


def _submission_from(token: str, salt: str, max_age: int) -> Submission:
    state, submission_id = tokens.load(token, salt, max_age)
    if state == tokens.INVALID:
        abort(400)
    submission = db.session.get(Submission, submission_id) if submission_id is not None else None
    if submission is None:
        abort(410)
    return submission


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> str | Response:
    """The link in the confirmation e-mail: the page asks once more (mail scanners open links too), the button
    sends. A second click, an expired or a tampered link changes nothing."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    submission = _submission_from(token, tokens.CONFIRM_SALT, current_app.config["CONFIRM_VALID_SECONDS"])
    if request.method == "POST":
        if confirm_submission(submission, utcnow()):
            db.session.commit()
        return redirect(url_for(".confirm", token=token))
    return render_template("campaigns/confirm.html", submission=submission, campaign=submission.campaign)


@bp.get("/campaigns/own-mail/<token>")
def own_mail(token: str) -> str:
    """A letter the supporter sends from their own mail program: one set of links per recipient."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    submission = _submission_from(token, tokens.OWN_MAIL_SALT, current_app.config["OWN_MAIL_VALID_SECONDS"])
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
    submission = _submission_from(token, tokens.OWN_MAIL_SALT, current_app.config["OWN_MAIL_VALID_SECONDS"])
    letter = next((letter for letter in submission.letters if letter.id == letter_id), None)
    links = stats.mail_links(letter, submission.campaign) if letter is not None else {}
    if via not in links:
        abort(404)
    stats.record_opened(letter, utcnow())
    db.session.commit()
    return redirect(links[via])
