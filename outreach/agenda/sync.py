"""The agenda sync: mirror the agenda categories with the directory's fetcher, bounded on the first run."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from outreach.agenda import alerts, matching, mirror
from outreach.agenda.start import locate_start
from outreach.database import begin_write, utcnow
from outreach.directory.sync import Progress, default_client, fetch_all
from outreach.directory.syncfeed import Client
from outreach.extensions import db


@dataclass
class AgendaSync:
    requests: int
    changed: int
    since: datetime
    new_matches: int
    alerts: int


def months_back(now: datetime, months: int) -> datetime:
    """The moment `months` months before `now` (30.44 days each: a bound, not a calendar date)."""
    return now - timedelta(days=round(months * 30.44))


def run_agenda_sync(
    base_url: str,
    *,
    client_factory: Callable[[], Client] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    workers: int = 3,
) -> AgendaSync:
    """Bring the agenda mirror up to date; a category never synced starts AGENDA_SYNC_MONTHS back."""
    since = months_back(now or utcnow(), int(current_app.config["AGENDA_SYNC_MONTHS"]))
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def client_in_app() -> Client:
        with app.app_context():
            return default_client(base_url)

    requests, changed = fetch_all(
        client_factory or client_in_app,
        progress or (lambda *_: None),
        workers,
        categories=mirror.CATEGORIES,
        store=mirror.store_page,
        locate=lambda client, category: locate_start(client, category, since),
    )
    begin_write()
    found = matching.refresh()
    told = alerts.send_due(now)
    db.session.commit()
    return AgendaSync(requests, changed, since, found, told)
