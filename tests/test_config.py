"""Configuration order (defaults, OUTREACH_* environment, create_app mapping) and the database set-up."""

import sqlite3
import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from outreach import create_app
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
    with pytest.raises(RuntimeError, match="OUTREACH_SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.sqlite"})


def test_debug_runs_without_a_secret_key(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.sqlite"})
    assert len(app.config["SECRET_KEY"]) >= 32


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


def test_post_requests_begin_immediate(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path)
    seen: dict[str, bool] = {}

    @app.route("/probe", methods=["GET", "POST"])
    def probe() -> str:
        db.session.execute(text("SELECT 1"))
        holder = threading.Thread(target=lambda: seen.update(free=other_writer_gets_the_lock(tmp_path / "t.sqlite")))
        holder.start()
        holder.join()
        return "ok"

    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.get("/probe")
    assert seen["free"] is True
    client.post("/probe")
    assert seen["free"] is False
    with app.app_context():
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
