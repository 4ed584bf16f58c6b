"""Shared fixtures: an app per test on SQLite, and on PostgreSQL too when OUTREACH_TEST_DATABASE_URL is set."""

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from outreach import create_app
from outreach.config import normalise_database_url
from outreach.extensions import db
from tests.builders import PASSWORD, account, build_directory

POSTGRES_URL = os.environ.get("OUTREACH_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def create_postgres_database(name_hint: str) -> str:
    """Create an empty database on the test server and return its URL (the server outlives the run)."""
    assert POSTGRES_URL
    server = make_url(normalise_database_url(POSTGRES_URL))
    name = f"outreach_test_{name_hint}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    assert POSTGRES_URL
    server = make_url(normalise_database_url(POSTGRES_URL))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_database(worker_id: str) -> Iterator[str]:
    """One PostgreSQL database per test worker, dropped at the end of the run."""
    url = create_postgres_database(worker_id)
    yield url
    drop_postgres_database(url)


def make_app(database_url: str, **config: object) -> Flask:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ACCOUNTS_REQUIRE_TOTP_FOR": "none",
        # Never the real House: a sync that a test starts without a feed of its own is refused at once on loopback.
        "TK_SYNCFEED_URL": "http://127.0.0.1:9/SyncFeed/2.0/Feed",
        # Nor the machine's DNS server: a page that looks records up without a test's own server asks loopback.
        "DNS_RESOLVER": "127.0.0.1:9",
        "DNS_TIMEOUT": 0.2,
    }  # tests/test_security.py checks CSRF with it switched on, tests/test_accounts.py the second factor
    return create_app({**settings, **config})


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config() -> dict[str, object]:
    """Extra configuration for the `app` fixture; a test module overrides this fixture to change it."""
    return {}


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: os.PathLike, app_config: dict[str, object]) -> Iterator[Flask]:
    """A fresh application with an empty schema on the backend of this test's parameter."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/outreach.sqlite"
    elif not POSTGRES_URL:
        pytest.skip("PostgreSQL only: set OUTREACH_TEST_DATABASE_URL (CI does)")
    else:
        url = request.getfixturevalue("postgres_database")
    application = make_app(url, **app_config)
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        if request.param != "sqlite":
            empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def directory(app: Flask) -> dict[str, int]:
    """A small known directory (see tests/builders.py); returns member ids by a short key."""
    with app.app_context():
        return build_directory()


def log_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/admin/login", data={"email": email, "password": password})


def logged_in(app: Flask, client: FlaskClient, email: str, role: str) -> FlaskClient:
    with app.app_context():
        account(email, role)
    assert log_in(client, email).status_code == 302
    return client


@pytest.fixture
def organiser(app: Flask, client: FlaskClient) -> FlaskClient:
    """The test client, logged in as an organiser."""
    return logged_in(app, client, "org@example.org", "organiser")


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> FlaskClient:
    """The test client, logged in as an admin."""
    return logged_in(app, client, "admin@example.org", "admin")
