"""What the page benchmarks share: their command line and a database holding the demo House and the bundled
campaign, on PostgreSQL (created for the run and dropped after) or in a SQLite file."""

import argparse
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.campaigns.cli import BUNDLED, load_campaign
from outreach.directory.demo import load_demo
from outreach.extensions import db
from tests import conftest
from tests.conftest import create_postgres_database, drop_postgres_database


def arguments(description: str, rounds: int) -> argparse.Namespace:
    """`--rounds` and `--database-url`; request logging is switched off (a log line per timed request is timed too)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created and dropped)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    return args


@contextmanager
def database(name: str, server_url: str | None) -> Iterator[str]:
    """The URL of an empty database: `name` on the PostgreSQL server at `server_url`, else a SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        if not server_url:
            yield f"sqlite:///{folder}/bench.db"
            return
        conftest.POSTGRES_URL = server_url
        url = create_postgres_database(name)
        try:
            yield url
        finally:
            drop_postgres_database(url)


def fill(app) -> None:
    """Create the tables and load the demo House (150 members) and the bundled Khojaly campaign."""
    with app.app_context():
        db.create_all()
        load_demo()
        load_campaign(BUNDLED / "khojaly.json")
        db.session.commit()
        db.session.remove()
