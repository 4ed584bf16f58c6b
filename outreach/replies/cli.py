"""Reply commands: import messages from files, fetch them from the IMAP mailbox, send the follow-up surveys due."""

from pathlib import Path

import click

from outreach.database import begin_write, utcnow
from outreach.extensions import db
from outreach.replies import bp
from outreach.replies.sources import SourceError, Tally, fetch_imap, imap_configured, import_files
from outreach.replies.survey import send_due


@bp.cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_command(paths: tuple[Path, ...]) -> None:
    """Ingest replies from .eml files, mbox files or Maildir folders (a message stored before is skipped)."""
    tally = Tally()
    try:
        import_files(list(paths), tally, progress=lambda path: click.echo(f"reading {path}"))
    except (SourceError, OSError) as error:
        raise click.ClickException(f"{error} (after {tally.summary()})") from error
    click.echo(tally.summary())


@bp.cli.command("fetch")
def fetch_command() -> None:
    """Ingest new replies from the configured IMAP mailbox (OUTREACH_IMAP_HOST and friends)."""
    if not imap_configured():
        raise click.ClickException("no mailbox configured: set OUTREACH_IMAP_HOST, _USERNAME and _PASSWORD")
    tally = Tally()
    try:
        fetch_imap(tally)
    except SourceError as error:
        raise click.ClickException(f"{error} (after {tally.summary()})") from error
    click.echo(tally.summary())


@bp.cli.command("survey")
def survey_command() -> None:
    """Send the follow-up surveys and reminders that are due now (the worker does this every minute)."""
    begin_write()
    asked, reminded = send_due(utcnow())
    db.session.commit()
    click.echo(f"{asked} surveys and {reminded} reminders queued")
