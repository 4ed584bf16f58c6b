"""Configuration: embedded defaults, then OUTREACH_* environment variables, then the mapping given to create_app."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # Flask-Babel: Dutch first; English is the source language of every message.
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en"],
    # Flask-SQLAlchemy: SQLite in the instance folder unless a URL is configured (filled in by load_config).
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # Flask-Limiter: per process; set redis://127.0.0.1:6379 when several processes serve the app.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "5/minute;20/hour",
    "PROXY_COUNT": 0,  # reverse proxies in front of the app (1 behind nginx or Caddy)
    # Sessions: organisers stay logged in for a working day at most.
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: secure unless DEBUG (see load_config)
    "SESSION_COOKIE_HTTPONLY": True,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Flask-Mail: the local development sink; production sets its own relay.
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 8025,
    "MAIL_DEFAULT_SENDER": "Outreach <letters@outreach.localhost>",
    # The Tweede Kamer's open-data SyncFeed, the source of the real directory.
    "TK_SYNCFEED_URL": "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/Feed",
    "TK_SYNC_TIMEOUT": 30,  # seconds per request
    "TK_SYNC_ATTEMPTS": 5,  # per page, on timeouts, connection errors, 429 and 5xx
    "TK_SYNC_BACKOFF": 2.0,  # seconds before the first retry, doubling (with jitter) up to a minute
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres://, postgresql://)."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _create_sqlite_folder(url: str) -> None:
    """SQLite creates the database file but not its folder (the instance folder on a fresh checkout)."""
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def load_config(config: dict[str, Any], instance_path: str, overrides: Mapping[str, Any] | None) -> None:
    """Fill `config` (a Flask config) from defaults, the environment and `overrides`, and check it."""
    config.update(DEFAULTS)  # over Flask's own defaults, some of which (cookies, sessions) we set differently
    config.from_prefixed_env("OUTREACH")
    if not config.get("SQLALCHEMY_DATABASE_URI") and os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        config.update(overrides)

    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance_path) / "outreach.sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    _create_sqlite_folder(config["SQLALCHEMY_DATABASE_URI"])

    # Cookies only over HTTPS, except on a developer's own machine (flask --debug over plain http).
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = not config.get("DEBUG")
    if config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_NAME"] == "session":
        config["SESSION_COOKIE_NAME"] = "__Host-session"

    if not config.get("SECRET_KEY"):
        if not (config.get("DEBUG") or config.get("TESTING")):
            raise RuntimeError(
                "OUTREACH_SECRET_KEY is not set. Set it to a long random value, for example:\n"
                "  export OUTREACH_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
                "(Only local development with --debug, and the test suite, run without one.)"
            )
        # Development and tests only: sessions do not survive a restart, which is what a developer expects.
        config["SECRET_KEY"] = os.urandom(32).hex()
