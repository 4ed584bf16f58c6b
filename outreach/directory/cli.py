"""Directory commands: `flask directory sync`, `demo`, `export` and `import`."""

import sys
from typing import BinaryIO

import click
from flask import current_app
from sqlalchemy import func, select

from outreach.database import begin_write
from outreach.directory import bp, export, queries
from outreach.directory.csv_import import UnreadableFile, apply_plan, plan_import, read_upload
from outreach.directory.demo import DemoRefused, load_demo, real_member_count
from outreach.directory.models import Member
from outreach.directory.sync import run_sync
from outreach.directory.syncfeed import CATEGORIES, SyncFeedError
from outreach.extensions import db


@bp.cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the directory has no members at all.")
def demo(if_empty: bool) -> None:
    """Load the bundled demo directory of 150 fictional members (replacing earlier demo data)."""
    begin_write()
    if if_empty and db.session.scalar(select(func.count(Member.id))):
        click.echo("The directory already has members; demo data not loaded.")
        return
    try:
        loaded = load_demo()
    except DemoRefused:
        raise click.ClickException(
            f"The directory holds {real_member_count()} members synced from the Tweede Kamer; "
            "demo data would mix fictional and real members, so it was not loaded."
        ) from None
    db.session.commit()
    click.echo(
        f"Loaded the demo directory: {loaded['members']} fictional members, {loaded['parties']} parties, "
        f"{loaded['committees']} committees."
    )


@bp.cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def export_directory(fmt: str) -> None:
    """Print the current directory, one record per member sorted by surname."""
    members = queries.find_members(queries.MemberFilter())
    click.echo(export.to_json(members) if fmt == "json" else export.members_csv(members), nl=fmt == "json")


class SyncProgress:
    """A line per category: redrawn in place on a terminal, printed once when done otherwise (cron, logs)."""

    WIDTH = 30

    def __init__(self, categories: tuple[str, ...] = CATEGORIES) -> None:
        self.interactive = sys.stdout.isatty()
        self.lines: dict[str, str] = {category: self._line(category, 0, 0, None) for category in categories}
        if self.interactive:
            click.echo("\n".join(self.lines.values()))

    def _line(self, category: str, pages: int, entities: int, done: bool | None) -> str:
        if done:
            bar = "#" * self.WIDTH
        else:
            bar = ("." * self.WIDTH) if done is None else ("#" * (pages % self.WIDTH)).ljust(self.WIDTH, ".")
        state = "caught up" if done else "waiting" if done is None else "fetching"
        return f"{category:<31} [{bar}] {pages:>5} pages {entities:>7} entities  {state}"

    def __call__(self, category: str, pages: int, entities: int, done: bool) -> None:
        self.lines[category] = self._line(category, pages, entities, done)
        if self.interactive:
            click.echo(f"\x1b[{len(self.lines)}F" + "\n".join(f"{line}\x1b[K" for line in self.lines.values()))
        elif done:
            click.echo(self.lines[category])


@bp.cli.command("sync")
@click.option("--url", help="SyncFeed address (default: OUTREACH_TK_SYNCFEED_URL).")
def sync_directory(url: str | None) -> None:
    """Sync the directory from the Tweede Kamer's SyncFeed and print what changed."""
    base_url = url or current_app.config["TK_SYNCFEED_URL"]
    click.echo(f"Syncing the directory from {base_url}")
    try:
        run = run_sync(base_url, progress=SyncProgress())
    except SyncFeedError as error:
        raise click.ClickException(
            f"The sync stopped: {error}\nThe directory was left as it was. What was fetched is kept; "
            "running the sync again resumes where it stopped."
        ) from None
    for change in run.changes:
        click.echo(f"  {change.kind:<9} {change.member_name}: {change.old or '-'} -> {change.new or '-'}")
    click.echo(f"{run.summary} ({run.requests} requests)")


@bp.cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Show what would change without saving it.")
def import_corrections(file: BinaryIO, dry_run: bool) -> None:
    """Apply organisers' corrections (e-mail, salutation) from a CSV or .xlsx file in the export's columns."""
    try:
        text = read_upload(file.read())
    except UnreadableFile as refusal:
        raise click.ClickException(f"{file.name}: {refusal}") from None
    begin_write()
    plan = plan_import(text)
    for error in plan.errors:
        click.echo(f"line {error.line}: {error.message} (skipped)")
    for change in plan.changes:
        click.echo(f"{change.member.name}: {change.field} {change.old or '-'} -> {change.new or '(synced value)'}")
    if dry_run:
        click.echo(f"{len(plan.changes)} changes, {len(plan.errors)} rows with errors; nothing saved (--dry-run).")
        return
    apply_plan(plan)
    db.session.commit()
    click.echo(f"{len(plan.changes)} changes saved, {len(plan.errors)} rows with errors skipped.")
