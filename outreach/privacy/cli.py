"""Privacy commands: run the retention rules now."""

from datetime import datetime

import click

from outreach.database import begin_write, utcnow
from outreach.extensions import db
from outreach.privacy import bp
from outreach.privacy.retention import purge


@bp.cli.command("purge")
@click.option("--at", "at", type=click.DateTime(), default=None, help="Apply the rules as of this UTC time (testing).")
def purge_command(at: datetime | None) -> None:
    """Apply the retention rules now (the worker does this once a day)."""
    begin_write()
    done = purge(at or utcnow())
    db.session.commit()
    for rule, count in done.items():
        click.echo(f"{count:6d}  {rule}")
