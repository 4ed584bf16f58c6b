"""Organiser pages for replies: the inbox (what to assign, what to tag, everything), one reply with its letter,
tagging its stance, assigning it to a letter, correcting its kind, and logging an answer that came by post or phone."""

from datetime import datetime, time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from outreach.accounts.access import audit, protect
from outreach.campaigns.models import Campaign, Letter
from outreach.campaigns.texts import title
from outreach.database import begin_write, utcnow
from outreach.directory.models import Member, Party
from outreach.extensions import db
from outreach.replies import ingest
from outreach.replies.matching import letter_for
from outreach.replies.models import (
    ACKNOWLEDGEMENT,
    ANSWER,
    KINDS,
    MANUAL,
    NOT_A_REPLY,
    Reply,
)
from outreach.urls import database_id

bp = Blueprint("replies_admin", __name__, url_prefix="/admin/replies")
protect(bp)

PAGE = 50
KIND_LABELS = {
    "answer": lazy_gettext("answer"),
    "acknowledgement": lazy_gettext("acknowledgement of receipt"),
    "auto_reply": lazy_gettext("automatic reply"),
    "bounce": lazy_gettext("bounce: not delivered"),
    "delay": lazy_gettext("delivery delayed"),
    "report": lazy_gettext("delivery report"),
    "unreadable": lazy_gettext("unreadable message"),
    "not_a_reply": lazy_gettext("set aside: not a reply"),
}
STANCE_LABELS = {
    "supports": lazy_gettext("supports the request"),
    "noncommittal": lazy_gettext("non-committal"),
    "against": lazy_gettext("against"),
    "other": lazy_gettext("other"),
}
CHANNEL_LABELS = {
    "email": lazy_gettext("e-mail"),
    "post": lazy_gettext("post"),
    "phone": lazy_gettext("phone"),
    "in_person": lazy_gettext("in person"),
}
MATCHED_LABELS = {
    "token": lazy_gettext("by its reply address"),
    "thread": lazy_gettext("by the letter it answers"),
    "sender": lazy_gettext("by the sender's address (check)"),
    "forward": lazy_gettext("forwarded by the supporter"),
    "hand": lazy_gettext("by an organiser"),
}
VIEWS = {
    "todo": lazy_gettext("To assign"),
    "untagged": lazy_gettext("Answers to tag"),
    "all": lazy_gettext("All"),
}


@bp.app_template_global()
def reply_label(kind: str, value: str | None) -> str:
    """The organiser's words for a reply's kind, stance, channel or how it was linked."""
    labels = {"kind": KIND_LABELS, "stance": STANCE_LABELS, "channel": CHANNEL_LABELS, "matched": MATCHED_LABELS}[kind]
    return str(labels.get(value or "", value or "–"))


def _choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(str(key), str(label)) for key, label in labels.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + options


class TagForm(FlaskForm):
    stance = SelectField(lazy_gettext("Stance"), validators=[Optional()])
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=5000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stance.choices = _choices(STANCE_LABELS, str(lazy_gettext("not tagged")))


class KindForm(FlaskForm):
    kind = SelectField(lazy_gettext("Kind"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices({k: v for k, v in KIND_LABELS.items() if k != "unreadable"})


class AssignForm(FlaskForm):
    """Which campaign's letter to which MP a reply belongs to (the letter itself is found as for a reply by mail)."""

    campaign = SelectField(lazy_gettext("Campaign"), coerce=int, validators=[InputRequired()])
    member = SelectField(lazy_gettext("Member"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.campaign.choices = _choices(dict(campaign_choices()))
        self.member.choices = _choices(dict(member_choices()))


class ManualForm(AssignForm):
    """An answer that reached the campaign another way: by post, by phone, in person."""

    channel = SelectField(lazy_gettext("How it came"), validators=[InputRequired()])
    kind = SelectField(lazy_gettext("Kind"), validators=[InputRequired()])
    received = DateField(lazy_gettext("Received on"), validators=[InputRequired()])
    stance = SelectField(lazy_gettext("Stance"), validators=[Optional()])
    text = TextAreaField(lazy_gettext("The answer, or a summary"), validators=[Length(max=20000)])
    note = TextAreaField(lazy_gettext("Note"), validators=[Length(max=5000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = _choices(CHANNEL_LABELS)
        self.kind.choices = _choices({ANSWER: KIND_LABELS[ANSWER], ACKNOWLEDGEMENT: KIND_LABELS[ACKNOWLEDGEMENT]})
        self.stance.choices = _choices(STANCE_LABELS, str(lazy_gettext("not tagged")))


def campaign_choices() -> list[tuple[int, str]]:
    language = str(get_locale())
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    return [(campaign.id, title(campaign, language)) for campaign in campaigns]


def member_choices() -> list[tuple[int, str]]:
    """Members who were written to in any campaign, by name."""
    written = select(Letter.member_id).where(Letter.member_id.is_not(None)).distinct()
    rows = db.session.execute(
        select(Member, Party.abbreviation)
        .outerjoin(Party, Party.id == Member.party_id)
        .where(Member.id.in_(written))
        .order_by(Member.sort_name)
    ).all()
    # Member.name writes a name as every other page does ("Hedy d'Ancona", "Jan van Dijk").
    return [(member.id, f"{member.name} ({abbreviation or '–'})") for member, abbreviation in rows]


def inbox_query(view: str, campaign_id: int | None, kind: str | None) -> Select[tuple[Reply]]:
    query = select(Reply)
    if view == "todo":
        query = query.where(Reply.handled.is_(False))
    elif view == "untagged":
        query = query.where(Reply.kind == ANSWER, Reply.stance.is_(None), Reply.letter_id.is_not(None))
    if campaign_id:
        query = query.where(Reply.campaign_id == campaign_id)
    if kind in KINDS:
        query = query.where(Reply.kind == kind)
    return query


@bp.get("/")
def index() -> str:
    """The replies inbox: messages to assign by hand, answers still to tag, or everything, newest first."""
    view = request.args.get("show", "todo")
    view = view if view in VIEWS else "todo"
    campaign_id = request.args.get("campaign", type=database_id)
    kind = request.args.get("kind") or None
    query = inbox_query(view, campaign_id, kind)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE))
    page = min(request.args.get("page", 1, type=database_id) or 1, pages)
    replies = db.session.scalars(
        query.order_by(Reply.received_at.desc(), Reply.id.desc()).limit(PAGE).offset((page - 1) * PAGE)
    ).all()
    counts = {
        name: db.session.scalar(select(func.count()).select_from(inbox_query(name, None, None).subquery()))
        for name in ("todo", "untagged")
    }
    members = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_({r.member_id for r in replies})))}
    return render_template(
        "replies/admin/index.html",
        replies=replies,
        members=members,
        view=view,
        views=VIEWS,
        counts=counts,
        campaigns=campaign_choices(),
        campaign_id=campaign_id,
        kind=kind,
        kinds=KIND_LABELS,
        page=page,
        pages=pages,
        total=total,
    )


def _page(reply: Reply, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    letter = db.session.get(Letter, reply.letter_id) if reply.letter_id else None
    sent_at = letter.outbox_message.sent_at if letter is not None and letter.outbox_message else None
    forms.setdefault("tag_form", TagForm(obj=reply))
    forms.setdefault("kind_form", KindForm(obj=reply))
    forms.setdefault("assign_form", AssignForm(data={"campaign": reply.campaign_id, "member": reply.member_id}))
    return render_template(
        "replies/admin/show.html",
        reply=reply,
        letter=letter,
        sent_at=sent_at,
        member=db.session.get(Member, reply.member_id) if reply.member_id else None,
        **forms,
    ), status


@bp.get("/<int:reply_id>")
def show(reply_id: int) -> tuple[str, int]:
    """One reply: what it says (without the quoted letter), which letter it belongs to, and what to do with it."""
    return _page(db.get_or_404(Reply, reply_id))


@bp.post("/<int:reply_id>/tag")
def tag(reply_id: int) -> Response | tuple[str, int]:
    """Record what an answer says: supports the request, non-committal, against, or other, and a note."""
    reply = db.get_or_404(Reply, reply_id)
    form = TagForm()
    if not form.validate():
        return _page(reply, 400, tag_form=form)
    reply.stance = form.stance.data or None
    reply.note = (form.note.data or "").strip() or None
    reply.tagged_by, reply.tagged_at = current_user.email, utcnow()
    audit("reply tagged", reply, reply.stance or "-")
    db.session.commit()
    flash(lazy_gettext("Saved."), "info")
    return redirect(url_for(".show", reply_id=reply.id))


@bp.post("/<int:reply_id>/kind")
def set_kind(reply_id: int) -> Response | tuple[str, int]:
    """Correct what a message is (an answer taken for an automatic reply, say), or set it aside as not a reply."""
    reply = db.get_or_404(Reply, reply_id)
    form = KindForm()
    if not form.validate():
        return _page(reply, 400, kind_form=form)
    begin_write()
    reply.kind = form.kind.data
    if reply.kind == NOT_A_REPLY:
        reply.handled, reply.raw = True, None
    else:
        ingest.kind_changed(reply, utcnow())
    audit("reply kind", reply, reply.kind)
    db.session.commit()
    return redirect(url_for(".show", reply_id=reply.id))


def _letter_or_error(form: AssignForm) -> Letter | None:
    letter = letter_for([form.member.data], campaign_id=form.campaign.data)
    if letter is None:
        form.member.errors = [
            *form.member.errors,
            str(lazy_gettext("No letter to this member went out in that campaign.")),
        ]
    return letter


@bp.post("/<int:reply_id>/assign")
def assign(reply_id: int) -> Response | tuple[str, int]:
    """Link a reply to the letter of a campaign to an MP; it counts for that MP from now on."""
    reply = db.get_or_404(Reply, reply_id)
    form = AssignForm()
    letter = _letter_or_error(form) if form.validate() else None
    if letter is None:
        return _page(reply, 400, assign_form=form)
    begin_write()
    ingest.assign(reply, letter, utcnow())
    audit("reply assigned", reply, f"letter {letter.id}")
    db.session.commit()
    flash(lazy_gettext("The reply now counts for %(name)s.", name=letter.recipient_name), "info")
    return redirect(url_for(".show", reply_id=reply.id))


@bp.get("/<int:reply_id>/raw")
def raw(reply_id: int) -> Response:
    """The message as it arrived (kept while it is unassigned), as plain text; looking is logged."""
    reply = db.get_or_404(Reply, reply_id)
    if reply.raw is None:
        abort(404)
    audit("viewed raw reply", reply)
    db.session.commit()
    return Response(reply.raw, mimetype="text/plain", headers={"Content-Disposition": "inline"})


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    """Log an answer that came by post, by phone or in person, so it counts like one that came by e-mail."""
    form = ManualForm(data={"received": utcnow().date(), "channel": "post"} if request.method == "GET" else None)
    if request.method == "POST":
        letter = _letter_or_error(form) if form.validate() else None
        if letter is not None:
            begin_write()
            now = utcnow()
            reply = ingest.by_hand(
                letter,
                form.kind.data,
                (form.text.data or "").strip(),
                datetime.combine(form.received.data, time(12)),
                now,
                dedupe_key=f"manual:{now.timestamp()}:{letter.id}:{current_user.id}",
                source=MANUAL,
                channel=form.channel.data,
                stance=form.stance.data or None,
                note=(form.note.data or "").strip() or None,
                tagged_by=current_user.email if form.stance.data else None,
                tagged_at=now if form.stance.data else None,
            )
            db.session.add(reply)
            db.session.flush()
            audit("reply logged", reply, form.channel.data)
            db.session.commit()
            flash(lazy_gettext("The answer is logged."), "info")
            return redirect(url_for(".show", reply_id=reply.id))
        return render_template("replies/admin/new.html", form=form), 400
    return render_template("replies/admin/new.html", form=form)
