"""Every model change ships a migration: `flask db upgrade` then `flask db check` on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent


def flask_db(database_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OUTREACH_SQLALCHEMY_DATABASE_URI": database_url,
        "OUTREACH_SECRET_KEY": "migration-test",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", str(ROOT / "wsgi.py"), "db", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def upgrade_and_check(database_url: str, cwd: Path) -> None:
    upgrade = flask_db(database_url, "upgrade", cwd=cwd)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask_db(database_url, "check", cwd=cwd)
    assert check.returncode == 0, f"models and migrations differ:\n{check.stdout}\n{check.stderr}"


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    # Run from another folder: the migrations are found from the package, not the working directory.
    upgrade_and_check(f"sqlite:///{tmp_path}/migrated.sqlite", cwd=tmp_path)


@pytest.mark.skipif(not POSTGRES_URL, reason="OUTREACH_TEST_DATABASE_URL is not set")
def test_migrations_match_models_on_postgresql(tmp_path: Path) -> None:
    url = create_postgres_database("migrations")
    try:
        upgrade_and_check(url, cwd=tmp_path)
    finally:
        drop_postgres_database(url)
