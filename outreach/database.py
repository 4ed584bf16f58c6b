"""Database engine set-up: SQLite tuned for a web tier plus a worker, PostgreSQL as configured."""

from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite

from outreach.extensions import db

IMMEDIATE = "outreach_sqlite_immediate"


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp that DateTime columns store."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure(app: Flask) -> None:
    """Tune SQLite connections and make write transactions take the write lock up front."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    _tune_sqlite(engine, busy_timeout)

    @app.before_request
    def writes_begin_immediate() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write()


def _tune_sqlite(engine: Engine, busy_timeout: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is switched off so that on_begin decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout:d}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that later writes fails at once with SQLITE_BUSY when another writer got in
        # first (busy_timeout does not apply to the upgrade); IMMEDIATE waits for the lock instead.
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the current session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE).

    Call before the first write of a unit of work; requests other than GET/HEAD/OPTIONS do so automatically, commands
    and the sync call it themselves. A read-only transaction still open is ended first: its snapshot would make the
    coming write fail at once with "database is locked" if another process wrote in the meantime.
    """
    session = db.session()
    if session.in_transaction():
        immediate = session.connection().get_execution_options().get(IMMEDIATE)
        if immediate or session.new or session.dirty or session.deleted:
            return
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


def insert_unless_present(model: type, **values: Any) -> None:
    """INSERT a row, doing nothing when a unique key says it is already there (safe when two processes race)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
