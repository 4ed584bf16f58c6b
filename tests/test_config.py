"""Configuration order (defaults, OUTREACH_* environment, create_app mapping) and the database set-up."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from outreach import create_app
from outreach.config import MissingSecretKey
from outreach.database import begin_write
from outreach.extensions import db


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "OUTREACH_SECRET_KEY",
        "OUTREACH_SQLALCHEMY_DATABASE_URI",
        "DATABASE_URL",
        "FLASK_DEBUG",
        "OUTREACH_DEBUG",
        "OUTREACH_MAIL_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_missing_secret_key_is_a_clear_startup_error(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(MissingSecretKey, match="OUTREACH_SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.sqlite"}, instance_path=str(tmp_path))


def test_debug_keeps_one_secret_key_in_the_instance_folder(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("FLASK_DEBUG", "1")
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.sqlite"}
    app = create_app(config, instance_path=str(tmp_path))
    assert len(app.config["SECRET_KEY"]) >= 32
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The next process of this checkout, debug or not, signs with the same key.
    assert create_app(config, instance_path=str(tmp_path)).config["SECRET_KEY"] == app.config["SECRET_KEY"]
    clean_env.delenv("FLASK_DEBUG")
    assert create_app(config, instance_path=str(tmp_path)).config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []


def checkout_copy(tmp_path: Path) -> Path:
    """A fresh clone as far as Outreach can tell: the package, templates, migrations and wsgi.py, no instance/."""
    root = Path(__file__).resolve().parent.parent
    copy = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("outreach", "templates", "static", "migrations", "data"):
        shutil.copytree(root / folder, copy / folder, ignore=ignore)
    shutil.copy(root / "wsgi.py", copy / "wsgi.py")
    return copy


def flask_command(checkout: Path, *args: str, debug: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "FLASK_")) and k != "DATABASE_URL"}
    if debug:
        env["FLASK_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=120
    )


def test_commands_work_on_a_fresh_checkout_after_make_run(tmp_path: Path) -> None:
    checkout = checkout_copy(tmp_path)
    # What `make run` does first, with FLASK_DEBUG=1, as the Makefile runs it.
    upgraded = flask_command(checkout, "db", "upgrade", debug=True)
    assert upgraded.returncode == 0, upgraded.stderr
    key_file = checkout / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # Then the README's own commands, typed without any environment.
    exported = flask_command(checkout, "directory", "export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == "[]"
    reply = tmp_path / "reply.eml"
    reply.write_text(
        "From: kamerlid@tweedekamer.nl\nTo: replies@outreach.localhost\nSubject: Re: Khojaly\n"
        "Message-ID: <answer-1@tweedekamer.nl>\n\nDank voor uw brief.\n"
    )
    imported = flask_command(checkout, "replies", "import", str(reply))
    assert imported.returncode == 0, imported.stderr
    assert "1" in imported.stdout


def test_a_missing_key_in_production_is_one_paragraph_without_traceback(tmp_path: Path) -> None:
    checkout = checkout_copy(tmp_path)
    result = flask_command(checkout, "directory", "export")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "OUTREACH_SECRET_KEY is not set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (checkout / "instance" / "secret_key").exists()


def test_environment_overrides_defaults_and_create_app_overrides_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("OUTREACH_SECRET_KEY", "from-env")
    clean_env.setenv("OUTREACH_MAIL_PORT", "2525")
    clean_env.setenv("OUTREACH_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/env.sqlite")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAIL_PORT"] == 2525  # parsed as JSON, so a number
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["BABEL_DEFAULT_LOCALE"] == "nl"

    app = create_app({"MAIL_PORT": 1025, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/given.sqlite"})
    assert app.config["MAIL_PORT"] == 1025
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("given.sqlite")


def test_sqlite_in_the_instance_folder_by_default(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OUTREACH_SECRET_KEY", "x")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(Path(app.instance_path) / "outreach.sqlite")
    assert Path(app.instance_path).parent == Path(__file__).resolve().parent.parent


def test_sqlite_folder_is_created_on_a_fresh_checkout(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new/instance/o.sqlite"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert (tmp_path / "new" / "instance" / "o.sqlite").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example/outreach", "postgresql+psycopg://u:p@db.example/outreach"),
        ("postgresql://u@127.0.0.1/outreach", "postgresql+psycopg://u@127.0.0.1/outreach"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_url_is_accepted_and_uses_psycopg(clean_env: pytest.MonkeyPatch, url: str, expected: str) -> None:
    clean_env.setenv("OUTREACH_SECRET_KEY", "x")
    clean_env.setenv("DATABASE_URL", url)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == expected


def test_outreach_database_uri_wins_over_database_url(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("OUTREACH_SECRET_KEY", "x")
    clean_env.setenv("DATABASE_URL", "postgresql://u@h/d")
    clean_env.setenv("OUTREACH_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/mine.sqlite")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("mine.sqlite")


def sqlite_app(tmp_path: Path) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.sqlite"})


def test_sqlite_connections_are_tuned(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path)
    with app.app_context():
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
        db.engine.dispose()
    assert pragma == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000, "foreign_keys": 1}


def other_writer_gets_the_lock(path: Path) -> bool:
    """Whether another connection can start a write transaction right now (without waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_write_units_take_the_sqlite_write_lock_up_front(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        db.session.execute(text("SELECT 1"))
        assert other_writer_gets_the_lock(tmp_path / "t.sqlite"), "a read must not hold the write lock"
        db.session.rollback()
        begin_write()
        db.session.execute(text("SELECT 1"))
        assert not other_writer_gets_the_lock(tmp_path / "t.sqlite"), "a write unit must hold the lock from BEGIN"
        db.session.rollback()
        db.engine.dispose()


def test_a_write_after_reads_does_not_fail_when_another_writer_got_in_between(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path)
    with app.app_context():
        db.create_all()
        db.session.execute(text("CREATE TABLE note (body TEXT)"))
        db.session.commit()
        db.session.execute(text("SELECT count(*) FROM note"))  # a read snapshot is open
        other = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
        other.execute("INSERT INTO note VALUES ('written meanwhile')")  # another process commits a write
        other.close()
        begin_write()  # ends the stale read snapshot and takes the write lock
        db.session.execute(text("INSERT INTO note VALUES ('ours')"))
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM note")).scalar() == 2
        db.engine.dispose()
