"""The replies room's public side: the webhook mail providers post inbound mail to, and the survey page the
follow-up e-mail links to."""

import hmac

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from outreach.campaigns.models import Letter
from outreach.campaigns.tokens import EXPIRED, VALID
from outreach.database import begin_write, utcnow
from outreach.extensions import csrf, db
from outreach.replies import bp, survey
from outreach.replies.ingest import ingest
from outreach.replies.models import WEBHOOK


@bp.post("/inbound/email")
@csrf.exempt
def inbound() -> tuple[Response, int]:
    """A mail provider hands over one received message: the raw RFC 5322 bytes as the body, with
    `Authorization: Bearer <OUTREACH_INBOUND_TOKEN>`. Off (404) while no token is configured."""
    expected = current_app.config.get("INBOUND_TOKEN")
    if not expected:
        abort(404)
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), str(expected).encode()):
        response = jsonify(error="a valid bearer token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="inbound"'
        return response, 401
    request.max_content_length = current_app.config["INBOUND_MAX_BYTES"]
    raw = request.get_data(cache=False)
    if not raw.strip():
        return jsonify(error="the body must be the raw e-mail message"), 400
    begin_write()
    reply, new = ingest(raw, WEBHOOK, utcnow())
    db.session.commit()
    linked = reply.letter_id is not None or reply.outbox_message_id is not None
    return jsonify(id=reply.id, new=new, kind=reply.kind, linked=linked), 202 if new else 200


@bp.app_template_global()
def survey_answer_label(answer: str) -> str:
    return str(survey.ANSWER_LABELS.get(answer, answer))


class SurveyForm(FlaskForm):
    answer = RadioField(
        choices=[SelectChoice(key, label) for key, label in survey.ANSWER_LABELS.items()], validators=[InputRequired()]
    )
    text = TextAreaField(lazy_gettext("The answer you received (optional)"), validators=[Length(max=20000)])


@bp.route("/survey/<token>", methods=["GET", "POST"], endpoint="survey")
def survey_page(token: str) -> str | Response | tuple[str, int]:
    """Did the MP reply? The link chose an answer; the button saves it. The first answer stands; an expired or
    tampered link changes nothing."""
    request.personal_data = True  # type: ignore[attr-defined]
    request.token_page = True  # type: ignore[attr-defined]
    state, letter_id = survey.read_token(token)
    if state == EXPIRED:
        abort(410)
    if state != VALID:
        abort(400)
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        abort(410)
    given = survey.answer_for(letter.id)
    form = SurveyForm(data={"answer": request.args.get("answer")} if request.method == "GET" else None)
    if given is None and request.method == "POST":
        if form.validate():
            begin_write()
            survey.record(letter, form.answer.data, (form.text.data or "").strip(), utcnow())
            db.session.commit()
            return redirect(url_for(".survey", token=token))
        return render_template("replies/survey.html", letter=letter, form=form, given=None), 400
    return render_template("replies/survey.html", letter=letter, form=form, given=given)
