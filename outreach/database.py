"""Database engine set-up: SQLite tuned for a web tier plus a worker, PostgreSQL as configured."""

from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_request_context
from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects import postgresql, sqlite

from outreach.extensions import db

IMMEDIATE = "outreach_sqlite_immediate"
WRITE_LOCK = "outreach_sqlite_write_lock"  # in Connection.info: whether this transaction holds SQLite's write lock


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp that DateTime columns store."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure(app: Flask) -> None:
    """Tune SQLite connections so that a unit of work that writes holds the write lock from its first write on."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    _tune_sqlite(engine, busy_timeout)


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
    def on_begin(connection: Connection) -> None:
        # A deferred transaction that later writes fails at once with SQLITE_BUSY when another writer got in
        # first (busy_timeout does not apply to the upgrade); IMMEDIATE waits for the lock instead.
        immediate = bool(connection.get_execution_options().get(IMMEDIATE))
        connection.info[WRITE_LOCK] = immediate
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def on_write(connection: Connection, cursor: Any, statement: str, *_args: Any) -> None:
        # A request takes the lock when it first writes, never before: a refused login, a disabled webhook or a
        # form with mistakes reads what it needs and answers without queueing behind the letters being written.
        if connection.info.get(WRITE_LOCK) is not False or not _writes(statement):
            return
        if has_request_context() and not connection.in_nested_transaction():
            _take_lock(cursor)
        connection.info[WRITE_LOCK] = True  # from here on SQLite holds the lock (it upgraded, or we took it)


def _writes(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))


def _take_lock(cursor: Any) -> None:
    # Nothing has been written in this transaction yet, so ending it loses nothing but the read snapshot; the
    # upgrade of a deferred transaction would not wait for the lock, BEGIN IMMEDIATE does (busy_timeout).
    cursor.execute("COMMIT")
    cursor.execute("BEGIN IMMEDIATE")


def begin_write() -> None:
    """Hold the SQLite write lock from now on in the current session's transaction (BEGIN IMMEDIATE).

    Call it where a unit of work is about to read what it will change, after its checks (login, rate limits, the
    form): the reads that follow see the latest data and no other writer gets in between. A request that writes
    without calling it takes the lock at its first write; commands and the worker call it themselves. A read-only
    transaction still open is ended first: its snapshot would make the coming write fail at once with "database is
    locked" if another process wrote in the meantime.
    """
    session = db.session()
    if session.in_transaction():
        connection = session.connection()
        if connection.get_execution_options().get(IMMEDIATE) or connection.info.get(WRITE_LOCK):
            return
        if session.new or session.dirty or session.deleted:
            if connection.info.get(WRITE_LOCK) is False and not connection.in_nested_transaction():
                # The changes wait in the session, none in the database: the transaction starts again as a write.
                _take_lock(connection.connection.dbapi_connection)
                connection.info[WRITE_LOCK] = True
            return
        session.commit()  # also expires what was read, so it is read again under the lock
    session.connection(execution_options={IMMEDIATE: True})


def insert_unless_present(model: type, **values: Any) -> None:
    """INSERT a row, doing nothing when a unique key says it is already there (safe when two processes race)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
