"""Directory upkeep for organisers: corrections per member and committee, extra targets, sync, CSV import/export."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from outreach.accounts.access import audit, protect
from outreach.database import begin_write
from outreach.directory import delivery, export, names, queries, syncfeed
from outreach.directory.csv_import import UnreadableFile, apply_plan, plan_import, read_upload
from outreach.directory.models import (
    Committee,
    CommitteeOverride,
    DirectoryChange,
    ExtraTarget,
    Member,
    MemberOverride,
    SyncRun,
)
from outreach.directory.sync import running_sync, start_in_background
from outreach.directory.syncfeed import CATEGORIES
from outreach.downloads import csv_response
from outreach.extensions import db
from outreach.labels import stored_text
from outreach.security import accepts_files
from outreach.validation import email_address, one_line

bp = Blueprint("directory_admin", __name__, url_prefix="/admin/directory")
protect(bp)

SHOW = {
    "all": lazy_gettext("All members"),
    "no-address": lazy_gettext("Without an e-mail address"),
    "corrected": lazy_gettext("With corrections"),
    "do-not-write": lazy_gettext("Not to be written to"),
}
SYNC_STATUS = {
    "running": lazy_gettext("running"),
    "succeeded": lazy_gettext("finished"),
    "failed": lazy_gettext("failed"),
}


CHANGE_KINDS = {
    "joined": lazy_gettext("joined the House"),
    "left": lazy_gettext("left the House"),
    "party": lazy_gettext("party"),
    "committee": lazy_gettext("committee"),
    "email": lazy_gettext("e-mail address"),
    "name": lazy_gettext("name"),
}


@bp.app_template_global()
def sync_status(run: SyncRun) -> str:
    return str(SYNC_STATUS.get(run.status, run.status))


@bp.app_template_global()
def sync_error(error: str | None) -> str:
    """Why a sync stopped, in the reader's language (stored in English, as the command prints it)."""
    return stored_text(error, syncfeed.MESSAGES)


@bp.app_template_global()
def sync_summary(run: SyncRun) -> str:
    """What a finished sync found and changed, in the reader's language."""
    return gettext(
        "%(members)s members, %(parties)s parties, %(committees)s committees; "
        "%(joined)s joined, %(left)s left, %(changed)s changed",
        members=run.members,
        parties=run.parties,
        committees=run.committees,
        joined=run.joined,
        left=run.left,
        changed=run.changed,
    )


@bp.app_template_global()
def change_kind(kind: str) -> str:
    return str(CHANGE_KINDS.get(kind, kind))


@bp.app_template_global()
def salutation_rule(member: Member) -> str:
    """The salutation the Dutch rule gives, before any organiser's override."""
    return names.salutation(member.gender, member.prefix, member.surname)


def _text(value: str | None) -> str | None:
    return value.strip() or None if value else None


class CommitteeOverrideForm(FlaskForm):
    email = StringField(lazy_gettext("E-mail address"), validators=[Optional(), Length(max=254), email_address])
    salutation = StringField(lazy_gettext("Salutation"), validators=[Optional(), Length(max=200), one_line])
    note = TextAreaField(lazy_gettext("Note for organisers"), validators=[Optional(), Length(max=2000)])


class MemberOverrideForm(CommitteeOverrideForm):
    do_not_write = BooleanField(lazy_gettext("Do not write to this member"))


class TargetForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200), one_line])
    email = StringField(lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254), email_address])
    salutation = StringField(lazy_gettext("Salutation"), validators=[Optional(), Length(max=200), one_line])
    note = TextAreaField(lazy_gettext("Note for organisers"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(lazy_gettext("Campaigns may offer this address"), default=True)


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("CSV or Excel file (.csv, .xlsx)"), validators=[FileRequired()])


class ApplyImportForm(FlaskForm):
    csv_text = HiddenField(validators=[DataRequired()])


def _save_override(owner: Member | Committee, form: FlaskForm, override_class: type, action: str) -> None:
    """Copy the form into the owner's override (created or removed as needed) and log which fields changed."""
    override = owner.override or override_class()
    changed = []
    for name in ("email", "salutation", "note", "do_not_write"):
        if not hasattr(form, name):
            continue
        if name == "do_not_write":
            value, current = bool(form.do_not_write.data), bool(override.do_not_write)
        else:
            value, current = _text(getattr(form, name).data), getattr(override, name)
        if current != value:
            changed.append(name)
            setattr(override, name, value)
    empty = not any(getattr(override, n, None) for n in ("email", "salutation", "note", "do_not_write"))
    if empty and owner.override is not None:
        db.session.delete(owner.override)
    elif not empty:
        owner.override = override
    if changed:
        audit(action, owner, ", ".join(changed))
    db.session.commit()


@bp.get("/")
def members() -> str:
    """Members with synced and corrected values side by side."""
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    chosen = queries.parse_member_filter({"q": request.args.get("q", "")}, [], [])
    rows = queries.find_members(chosen)
    keep = {
        "all": lambda m: True,
        "no-address": lambda m: not m.effective_email,
        "corrected": lambda m: m.override is not None,
        "do-not-write": lambda m: m.do_not_write,
    }[show]
    rows = [m for m in rows if keep(m)]
    return render_template("directory/admin/members.html", members=rows, chosen=chosen, show=show, shows=SHOW)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
def edit_member(member_id: int) -> str | WerkzeugResponse:
    """Correct a member's address or salutation, mark them 'do not write', keep a note."""
    member = db.get_or_404(Member, member_id)
    form = MemberOverrideForm(obj=member.override)
    if form.validate_on_submit():
        _save_override(member, form, MemberOverride, "edit member corrections")
        flash(lazy_gettext("Saved the corrections for %(name)s.", name=member.name), "info")
        return redirect(url_for(".members", q=member.surname))
    refused = delivery.refusal(member.effective_email)
    return render_template("directory/admin/member.html", member=member, form=form, refused=refused)


@bp.get("/committees")
def committees() -> str:
    """Committees and the addresses organisers have entered for them."""
    return render_template("directory/admin/committees.html", committees=queries.active_committees())


@bp.route("/committees/<int:committee_id>", methods=["GET", "POST"])
def edit_committee(committee_id: int) -> str | WerkzeugResponse:
    """Enter a committee's address (usually its clerk's), how to address it, a note."""
    committee = db.get_or_404(Committee, committee_id)
    form = CommitteeOverrideForm(obj=committee.override)
    if form.validate_on_submit():
        _save_override(committee, form, CommitteeOverride, "edit committee address")
        flash(lazy_gettext("Saved the address of the %(name)s.", name=committee.name_nl), "info")
        return redirect(url_for(".committees"))
    return render_template("directory/admin/committee.html", committee=committee, form=form)


@bp.get("/targets")
def targets() -> str:
    """Addresses that are not members, such as the petitions desk."""
    rows = db.session.scalars(select(ExtraTarget).order_by(ExtraTarget.name)).all()
    return render_template("directory/admin/targets.html", targets=rows)


@bp.route("/targets/new", methods=["GET", "POST"])
@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
def edit_target(target_id: int | None = None) -> str | WerkzeugResponse:
    """Add or change an extra target."""
    target = db.get_or_404(ExtraTarget, target_id) if target_id else ExtraTarget(active=True)
    form = TargetForm(obj=target)
    if form.validate_on_submit():
        target.name, target.email = form.name.data.strip(), form.email.data.strip()
        target.salutation, target.note, target.active = (
            _text(form.salutation.data),
            _text(form.note.data),
            form.active.data,
        )
        db.session.add(target)
        db.session.flush()
        audit("edit extra target" if target_id else "add extra target", target)
        db.session.commit()
        flash(lazy_gettext("Saved %(name)s.", name=target.name), "info")
        return redirect(url_for(".targets"))
    return render_template("directory/admin/target.html", target=target, form=form)


@bp.get("/sync")
def sync_runs() -> str:
    """Past syncs, and a button to start one."""
    runs = db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(30)).all()
    return render_template("directory/admin/sync_runs.html", runs=runs, running=running_sync(), form=FlaskForm())


@bp.post("/sync")
def start_sync() -> WerkzeugResponse:
    """Start a sync from the Tweede Kamer in the background and show its progress."""
    begin_write()  # of two organisers pressing at once, one starts the sync
    running = running_sync()
    if running is not None:
        flash(lazy_gettext("A sync is already running."), "error")
        return redirect(url_for(".sync_run", run_id=running.id))
    run = start_in_background(current_app.config["TK_SYNCFEED_URL"])
    audit("start directory sync", run)
    db.session.commit()
    return redirect(url_for(".sync_run", run_id=run.id))


@bp.get("/sync/<int:run_id>")
def sync_run(run_id: int) -> str:
    """One sync: progress per category while it runs, then its summary and the changes it made."""
    run = db.get_or_404(SyncRun, run_id)
    changes = db.session.scalars(
        select(DirectoryChange).where(DirectoryChange.sync_run_id == run.id).order_by(DirectoryChange.id)
    ).all()
    return render_template("directory/admin/sync_run.html", run=run, changes=changes, categories=CATEGORIES)


@bp.get("/export.csv")
def export_csv() -> Response:
    """The directory as CSV, in the columns `flask directory export --format csv` prints."""
    audit("export directory")
    db.session.commit()
    return csv_response(export.members_csv(queries.find_members(queries.MemberFilter())), "outreach-directory.csv")


@bp.route("/import", methods=["GET", "POST"])
@accepts_files("file")
def import_csv() -> tuple[str, int]:
    """Upload a CSV or .xlsx file of corrections and see exactly what it would change; nothing is written yet."""
    form, plan, text = ImportForm(), None, None
    if form.validate_on_submit():
        try:
            text = read_upload(form.file.data.read())
        except UnreadableFile as refusal:
            form.file.errors.append(str(refusal))
        else:
            plan = plan_import(text)
    return render_template(
        "directory/admin/import.html", form=form, plan=plan, apply_form=ApplyImportForm(csv_text=text)
    ), 422 if form.file.errors else 200


@bp.post("/import/apply")
def apply_import() -> WerkzeugResponse:
    """Apply a previewed import: the rows without errors are applied, the others skipped."""
    form = ApplyImportForm()
    if not form.validate_on_submit():
        flash(lazy_gettext("Nothing to import; upload the file again."), "error")
        return redirect(url_for(".import_csv"))
    plan = plan_import(form.csv_text.data)
    apply_plan(plan)
    for member in {change.member.id: change.member for change in plan.changes}.values():
        fields = sorted({c.field for c in plan.changes if c.member is member})
        audit("import member corrections", member, ", ".join(fields))
    db.session.commit()
    flash(
        lazy_gettext(
            "Imported %(changes)d corrections; %(errors)d rows with errors were skipped.",
            changes=len(plan.changes),
            errors=len(plan.errors),
        ),
        "info",
    )
    return redirect(url_for(".members", show="corrected"))
