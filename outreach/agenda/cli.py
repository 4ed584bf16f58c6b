"""Agenda commands: `flask agenda sync`."""

import click
from flask import current_app

from outreach.agenda import bp, mirror
from outreach.agenda.sync import run_agenda_sync
from outreach.directory.cli import SyncProgress
from outreach.directory.syncfeed import SyncFeedError


@bp.cli.command("sync")
@click.option("--url", help="SyncFeed address (default: OUTREACH_TK_SYNCFEED_URL).")
def sync_agenda(url: str | None) -> None:
    """Mirror the House's agenda, cases, decisions and votes; a first sync reads AGENDA_SYNC_MONTHS back."""
    base_url = url or current_app.config["TK_SYNCFEED_URL"]
    click.echo(f"Syncing the agenda from {base_url}")
    try:
        result = run_agenda_sync(base_url, progress=SyncProgress(mirror.CATEGORIES))
    except SyncFeedError as error:
        raise click.ClickException(
            f"The sync stopped: {error}\nWhat was fetched is kept; running the sync again resumes where it stopped."
        ) from None
    click.echo(
        f"{result.changed} entities changed, {result.new_matches} new matches, {result.alerts} alerts queued "
        f"({result.requests} requests)"
    )
