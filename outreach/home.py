"""The organiser home: how each live campaign is doing today and this week, and what waits for someone (the outbox,
replies to assign, the directory's last sync, details the site still says nothing about). It reads every room, so
it sits above them all, like the public home page in `site`."""

from flask import Blueprint, render_template
from sqlalchemy import func, select

from outreach.accounts.access import protect
from outreach.database import utcnow
from outreach.directory.models import SyncRun
from outreach.directory.queries import directory_counts
from outreach.extensions import db
from outreach.organisation import settings
from outreach.outbox import queue
from outreach.replies.models import Reply
from outreach.reports.pulse import pulse

bp = Blueprint("home", __name__, url_prefix="/admin")
protect(bp)


@bp.get("/")
def index() -> str:
    """The campaign's pulse: per live campaign letters today and this week and what waits for someone; the
    outbox, replies to assign, the directory and its last sync; and what the site still says nothing about."""
    now = utcnow()
    last_sync = db.session.scalar(select(SyncRun).order_by(SyncRun.id.desc()).limit(1))
    return render_template(
        "home/index.html",
        counts=directory_counts(),
        last_sync=last_sync,
        campaigns=pulse(now),
        outbox=queue.counts(),
        control=queue.control_row(),
        to_assign=db.session.scalar(select(func.count(Reply.id)).where(Reply.handled.is_(False))) or 0,
        missing=settings.current().missing(),
    )
