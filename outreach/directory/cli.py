"""Directory commands: `flask directory demo` and `flask directory export`."""

import click
from sqlalchemy import func, select

from outreach.database import begin_write
from outreach.directory import bp, export, queries
from outreach.directory.demo import DemoRefused, load_demo, real_member_count
from outreach.directory.models import Member
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
    click.echo(export.to_json(members) if fmt == "json" else export.to_csv(members), nl=fmt == "json")
