"""The letter page: the supporter edits the campaign's letter between its locked lines, sees it as each recipient
will, gives name, address and consent, and sends it (or takes it to their own mail program). Nothing typed is ever
lost: mistakes, an expired page, changing recipients and switching language all bring the letter back."""

import time

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from outreach.campaigns import bp, drafts, language_check, letters, reading, submit, targets, texts, tokens
from outreach.campaigns.forms import LetterForm
from outreach.campaigns.models import DRAFT, LIVE, OWN_MAIL, SEND, Campaign
from outreach.campaigns.views import CHECK_MAIL_KEY, CLOSED, campaign_or_404, clean_ref
from outreach.database import utcnow
from outreach.errors import http_error
from outreach.extensions import db, limiter
from outreach.i18n import page_language


def _write_limit() -> str:
    return current_app.config["SUBMISSION_LIMIT_PER_IP"]


def _draft_limit() -> str:
    return current_app.config["DRAFT_LIMIT_PER_IP"]


# The fields a draft keeps, and the order in which the error summary lists the fields' mistakes.
DRAFT_FIELDS = ("subject", "body", "name", "email", "place")
SUMMARY_ORDER = ("subject", "body", "name", "email", "place", "consent", "newsletter")
TOO_MANY = lazy_gettext(
    "Many letters were sent from this internet connection in a short time, so this one was not sent or saved yet. "
    "Everything you typed is still here: please try again a little later."
)
EXPIRED = lazy_gettext(
    "This page was open for a long time, so for your safety your letter was not sent yet. Everything you typed is "
    "still here: check it and press the button again."
)


@bp.route("/campaigns/<slug>/letter", methods=["GET", "POST"])
@limiter.limit(_write_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 302)
@limiter.limit(_draft_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 303)
def write(slug: str) -> str | Response | tuple[str, int]:
    """The letter: edit it, see it as each recipient will, give name, address and consent, and send (or take it to
    your own mail program). Nothing typed is ever lost: a form with mistakes or an expired page comes back with
    everything in it, and changing recipients or the page's language keeps the draft on the server."""
    request.personal_data = True  # type: ignore[attr-defined]
    campaign = campaign_or_404(slug)
    chosen, bad, languages, language, ref = _asked(campaign)
    form = LetterForm()
    action = request.form.get("action", "preview")
    if request.method == "GET":
        draft = drafts.load(campaign)
        if draft is not None and draft.language in languages and request.args.get("lang") in (None, draft.language):
            language = draft.language
            for name in DRAFT_FIELDS:
                getattr(form, name).data = getattr(draft, name)
        else:
            form.subject.data, body = submit.template(campaign, language)
            form.body.data = drafts.frame(body).text
        form.form_token.data = tokens.form()
    elif action == "recipients" or action.startswith(("page_language:", "letter_language:", "switch_language:")):
        return _keep_draft(campaign, form, chosen, language, languages, ref, action)
    if not chosen:
        return redirect(url_for(".choose", slug=slug, ref=ref))
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and action in (SEND, OWN_MAIL):
        trap = _trapped(form)
        if trap and trap != "too old":
            current_app.logger.info("letter form not accepted (%s); answered as if it were", trap)
            return redirect(url_for(".check_mail", slug=slug))
        errors = [("recipients", problem) for problem in _problems(campaign, chosen, bad)]
        valid = form.validate()
        if trap:  # "too old": a person who took their time
            errors.append(("send", str(EXPIRED)))
            _refresh_token(form, at_once=True)
        elif valid and not errors:
            nonce, _issued = tokens.read_form(form.form_token.data)  # type: ignore[misc]
            draft = submit.Draft(
                campaign=campaign,
                targets=chosen,
                language=language,
                subject=" ".join(form.subject.data.split()),
                body=drafts.assemble(drafts.frame(submit.template(campaign, language)[1]), _normalise(form.body.data)),
                name=" ".join(form.name.data.split()),
                email=form.email.data.strip(),
                place=" ".join((form.place.data or "").split()) or None,
                newsletter=bool(form.newsletter.data),
                nonce=nonce,
                ref=ref,
                mode=action,
                page_language=page_language(),
            )
            # What was just written is what the rest of this request reads: not reloaded after each commit.
            db.session().expire_on_commit = False
            try:
                submission = submit.submit(draft, utcnow())
                drafts.discard(campaign)
                db.session.commit()
            except submit.AddressLimitReached:
                message = lazy_gettext(
                    "This e-mail address has sent as many letters as we accept for now. Please try again tomorrow."
                )
                errors.append(("email", str(message)))
                return _letter_page(campaign, form, chosen, language, languages, errors, ref), 429
            finally:
                db.session().expire_on_commit = True
            if submission.mode == OWN_MAIL:
                return redirect(url_for(".own_mail", token=tokens.own_mail(submission.id)))
            session[CHECK_MAIL_KEY] = submission.id
            return redirect(url_for(".check_mail", slug=slug))
    elif request.method == "POST":
        form.validate()  # a preview shows mistakes in what was typed so far, not what is still to be filled in
        for unfilled in (form.name, form.email, form.consent, form.subject, form.body):
            if not unfilled.data:
                unfilled.errors = []
        _refresh_token(form)  # also after "keep my letter", the answer to the question about the letter's language
    status = 400 if (errors or _field_errors(form)) and action in (SEND, OWN_MAIL) else 200
    return _letter_page(
        campaign, form, chosen, language, languages, errors, ref, previewed=request.method == "POST"
    ), status


def _keep_draft(
    campaign: Campaign,
    form: LetterForm,
    chosen: list[targets.Target],
    language: str,
    languages: list[str],
    ref: str | None,
    action: str,
) -> str | Response:
    """Leave the letter page without losing a word: to change recipients, to read the page in another language, or
    to write the letter in the campaign's other language (asked first when the supporter changed the text)."""
    kind, _, code = action.partition(":")
    fields = {name: getattr(form, name).data or "" for name in DRAFT_FIELDS}
    keys = [t.key for t in chosen]
    if kind in ("letter_language", "switch_language") and code in languages and code != language:
        subject, body = submit.template(campaign, language)
        edited = (
            " ".join(fields["subject"].split()) != " ".join(subject.split())
            or _normalise(fields["body"]) != drafts.frame(body).text
        )
        if edited and kind == "letter_language":  # "switch_language" is the answer to the question asked here
            form.form_token.data = form.form_token.data or tokens.form()
            return _letter_page(campaign, form, chosen, language, languages, [], ref, switch_to=code)
        fields["subject"], body = submit.template(campaign, code)
        fields["body"], language = drafts.frame(body).text, code
    drafts.save(campaign, language, fields, utcnow())
    db.session.commit()
    if kind == "recipients" or not chosen:
        return redirect(url_for(".choose", slug=campaign.slug, to=keys, ref=ref, action="back"), 303)
    letter_page = url_for(".write", slug=campaign.slug, to=keys, lang=language, ref=ref)
    if kind == "page_language" and code in current_app.config["LANGUAGES"]:
        return redirect(url_for("site.set_language", code=code, next=letter_page), 303)
    return redirect(letter_page, 303)


def _asked(campaign: Campaign) -> tuple[list[targets.Target], list[str], list[str], str, str | None]:
    """What the letter page was asked for: (recipients, keys no longer valid, the campaign's letter languages, the
    letter's language, the source)."""
    source = request.form if request.method == "POST" else request.args
    chosen, bad = targets.resolve(campaign, source.getlist("to")[:200])
    languages = submit.letter_languages(campaign)
    language = source.get("lang") if source.get("lang") in languages else _default_letter_language(languages)
    return chosen, bad, languages, language, clean_ref(source.get("ref"))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> tuple[str, int]:
    """A letter form whose security token expired (or whose browser lost its session) comes back with everything
    typed in it and a fresh token, instead of an error page; nothing is sent or saved. Elsewhere: "bad request"."""
    return _refused_with_words_kept(error, EXPIRED, 400)


@bp.errorhandler(429)
def too_many_from_here(error: HTTPException) -> tuple[str, int]:
    """A letter page sent once too often from one internet address (a community centre's connection, say) comes back
    with everything typed in it and says to try again later, instead of an error page that loses the letter."""
    return _refused_with_words_kept(error, TOO_MANY, 429)


def _refused_with_words_kept(error: HTTPException, message: str, status: int) -> tuple[str, int]:
    slug = (request.view_args or {}).get("slug")
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.slug == slug)) if slug else None
    visible = campaign is not None and (campaign.status != DRAFT or current_user.is_authenticated)
    if request.endpoint != "campaigns.write" or request.method != "POST" or not visible:
        return http_error(error)
    request.personal_data = True  # type: ignore[attr-defined]
    chosen, _bad, languages, language, ref = _asked(campaign)
    form = LetterForm()
    _refresh_token(form, at_once=True)
    return _letter_page(campaign, form, chosen, language, languages, [("send", str(message))], ref), status


def _field_errors(form: LetterForm) -> list[tuple[str, str]]:
    """(field id, mistake) for every mistake in the form, in the order of the page."""
    return [(form[name].id, str(error)) for name in SUMMARY_ORDER for error in form[name].errors]


def _letter_page(
    campaign: Campaign,
    form: LetterForm,
    chosen: list[targets.Target],
    language: str,
    languages: list[str],
    errors: list[tuple[str, str]],
    ref: str | None,
    previewed: bool = False,
    switch_to: str | None = None,
) -> str:
    template_body = submit.template(campaign, language)[1]
    letter_frame = drafts.frame(template_body)
    typed = _normalise(form.body.data or "")
    body = drafts.assemble(letter_frame, typed)
    name = form.name.data or str(lazy_gettext("[your name]"))
    rendered = submit.render_all(campaign, chosen, language, form.subject.data or "", body, name, form.place.data)
    previews = [(t, *letter) for t, letter in zip(chosen, rendered, strict=True)]
    salutations = [t.salutation(language) for t in chosen]
    return render_template(
        "campaigns/write.html",
        campaign=campaign,
        form=form,
        chosen=chosen,
        language=language,
        languages=languages,
        previews=previews,
        previewed=previewed,
        personalised=letters.compare_with_template(body, template_body)[0],
        errors=errors + _field_errors(form),
        max_length=current_app.config["LETTER_MAX_LENGTH"],
        ref=ref,
        frame=letter_frame,
        head=drafts.shown(letter_frame.head, salutations, language, name, form.place.data),
        tail=drafts.shown(letter_frame.tail, salutations, language, name, form.place.data),
        your_name=str(lazy_gettext("[your name]")),
        campaign_title_in_letter=texts.title(campaign, language),
        switch_to=switch_to,
        reading=_reading(campaign, chosen, language, salutations, name, form.place.data),
        received_in=reading.RECEIVED_IN.get(language),
        reading_note=reading.NOT_SENT.get(language),
        language_warning=language_check.mismatch_warning(typed, letter_frame.text, language) if typed else None,
    )


def _reading(
    campaign: Campaign,
    chosen: list[targets.Target],
    language: str,
    salutations: list[str],
    name: str,
    place: str | None,
) -> dict[str, str] | None:
    """The campaign's reading translation in the page's language, its placeholders filled as in the letter."""
    translation = reading.translation(campaign, page_language())
    if translation is None:
        return None
    subject, body = (
        drafts.shown(translation[part], salutations, language, name, place) for part in ("subject", "body")
    )
    if len(chosen) == 1:
        subject, body = submit.render(campaign, chosen[0], language, subject, body, name, place)
    return {"language": page_language(), "subject": subject, "body": body}


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


def _refresh_token(form: LetterForm, at_once: bool = False) -> None:
    """Someone still previewing after a long while (or whose page expired) is no robot: their form gets a new lease
    of life (its nonce kept, so that the letter cannot be sent twice)."""
    token = tokens.read_form(form.form_token.data or "")
    if token is None:
        form.form_token.data = tokens.form()
        return
    nonce, issued = token
    if at_once or time.time() - issued > current_app.config["FORM_MAX_SECONDS"] / 2:
        form.form_token.data = tokens.form(time.time() - current_app.config["FORM_MIN_SECONDS"], nonce)


@bp.post("/campaigns/<slug>/meter")
def meter(slug: str) -> Response:
    """How much of the letter the supporter changed, and whether their own words seem to be in another language than
    the letter's, for the meter and the note that update while they type."""
    campaign = campaign_or_404(slug)
    language = request.form.get("lang") if request.form.get("lang") in submit.letter_languages(campaign) else "nl"
    body = _normalise(request.form.get("body", ""))[: current_app.config["LETTER_MAX_LENGTH"] * 2]
    template_body = submit.template(campaign, language)[1]
    letter_frame = drafts.frame(template_body)
    share = letters.compare_with_template(drafts.assemble(letter_frame, body), template_body)[0]
    warning = language_check.mismatch_warning(body, letter_frame.text, language) if body else None
    return jsonify(personalised=round(share * 100), language_warning=warning or "")
