"""Every model change ships a migration: `flask db upgrade` then `flask db check` on SQLite and PostgreSQL, and
every migration can be undone: `flask db downgrade base` leaves an empty database that upgrades again."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

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


def tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def downgrade_and_upgrade_again(database_url: str, cwd: Path) -> None:
    downgrade = flask_db(database_url, "downgrade", "base", cwd=cwd)
    assert downgrade.returncode == 0, downgrade.stderr
    assert tables(database_url) <= {"alembic_version"}, "downgrade base left tables behind"
    again = flask_db(database_url, "upgrade", cwd=cwd)
    assert again.returncode == 0, again.stderr


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    # Run from another folder: the migrations are found from the package, not the working directory.
    upgrade_and_check(f"sqlite:///{tmp_path}/migrated.sqlite", cwd=tmp_path)


def test_every_migration_can_be_undone_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/undone.sqlite"
    assert flask_db(url, "upgrade", cwd=tmp_path).returncode == 0
    assert "letter" in tables(url)
    downgrade_and_upgrade_again(url, cwd=tmp_path)


@pytest.mark.skipif(not POSTGRES_URL, reason="OUTREACH_TEST_DATABASE_URL is not set")
def test_migrations_match_models_on_postgresql(tmp_path: Path) -> None:
    url = create_postgres_database("migrations")
    try:
        upgrade_and_check(url, cwd=tmp_path)
    finally:
        drop_postgres_database(url)


def test_the_links_to_outbox_messages_keep_existing_data(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "links.sqlite"
    url = f"sqlite:///{path}"
    before = "0014_letter_links-1"  # whichever migration comes before this one
    assert flask_db(url, "upgrade", before, cwd=tmp_path).returncode == 0
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO outbox_message (id, kind, priority, status, message_id, bounce_token, language, sender,"
            " recipient, envelope_from, subject, body, created_at, next_attempt_at, attempts) VALUES (7, 'letter', 3,"
            " 'sent', '<m7@x>', 'b7', 'nl', 's', 'r@x', 'e@x', 'Erkenning', 'Tekst', '2026-01-01', '2026-01-01', 1)"
        )
        for reply_id, message_id in ((1, 7), (2, 99)):  # 99: a number that points at no message
            connection.execute(
                "INSERT INTO reply (id, dedupe_key, source, kind, handled, outbox_message_id, subject, text, channel,"
                " received_at, created_at) VALUES (?, ?, 'imap', 'bounce', 1, ?, '', 'x', 'email', '2026-01-02',"
                " '2026-01-02')",
                (reply_id, f"k{reply_id}", message_id),
            )
    upgrade = flask_db(url, "upgrade", cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT id, outbox_message_id FROM reply ORDER BY id").fetchall() == [
            (1, 7),
            (2, None),
        ]
        assert connection.execute("SELECT subject FROM outbox_message").fetchall() == [("Erkenning",)]
        links = {row[2] for row in connection.execute("PRAGMA foreign_key_list(reply)")}
        assert "outbox_message" in links
    downgrade = flask_db(url, "downgrade", before, cwd=tmp_path)
    assert downgrade.returncode == 0, downgrade.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT id, outbox_message_id FROM reply ORDER BY id").fetchall() == [
            (1, 7),
            (2, None),
        ]
        assert "outbox_message" not in {row[2] for row in connection.execute("PRAGMA foreign_key_list(reply)")}


COPY_OUTBOX_TABLE = """
from alembic import op
import sqlalchemy as sa

revision = "9999_copy_outbox"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("outbox_message", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(20), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", recreate="always") as batch_op:
        batch_op.drop_column("note")
"""


def test_a_later_migration_that_copies_the_outbox_table_keeps_every_link_to_it(tmp_path: Path) -> None:
    """SQLite changes a table by copying it; a copy of outbox_message must not empty the letters' links to it."""
    import shutil
    import sqlite3

    from alembic.script import ScriptDirectory

    migrations = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", migrations, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory(str(migrations)).get_current_head()
    (migrations / "versions" / "9999_copy_outbox.py").write_text(COPY_OUTBOX_TABLE.replace("{head}", head))
    path = tmp_path / "copy.sqlite"
    url = f"sqlite:///{path}"
    assert flask_db(url, "upgrade", head, cwd=tmp_path).returncode == 0
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO outbox_message (id, kind, priority, status, message_id, bounce_token, language, sender,"
            " recipient, envelope_from, subject, body, created_at, next_attempt_at, attempts) VALUES (7, 'letter', 3,"
            " 'sent', '<m7@x>', 'b7', 'nl', 's', 'r@x', 'e@x', 'Erkenning', 'Tekst', '2026-01-01', '2026-01-01', 1)"
        )
        connection.execute(
            "INSERT INTO reply (id, dedupe_key, source, kind, handled, outbox_message_id, subject, text, channel,"
            " received_at, created_at) VALUES (1, 'k1', 'imap', 'bounce', 1, 7, '', 'x', 'email', '2026-01-02',"
            " '2026-01-02')"
        )
    for step in ("upgrade", "downgrade"):
        moved = flask_db(url, "-d", str(migrations), step, cwd=tmp_path)
        assert moved.returncode == 0, moved.stderr
        with sqlite3.connect(path) as connection:
            assert connection.execute("SELECT id, outbox_message_id FROM reply").fetchall() == [(1, 7)], step


@pytest.mark.skipif(not POSTGRES_URL, reason="OUTREACH_TEST_DATABASE_URL is not set")
def test_every_migration_can_be_undone_on_postgresql(tmp_path: Path) -> None:
    url = create_postgres_database("downgrade")
    try:
        assert flask_db(url, "upgrade", cwd=tmp_path).returncode == 0
        assert "letter" in tables(url)
        downgrade_and_upgrade_again(url, cwd=tmp_path)
    finally:
        drop_postgres_database(url)
