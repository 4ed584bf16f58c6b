"""SQLite's single write lock is taken by the code that writes, after logins, rate limits and forms were checked:
a refused request never queues behind the letters being written."""

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, text

from outreach.extensions import db
from tests.builders import PASSWORD, account
from tests.conftest import make_app
from tests.test_config import other_writer_gets_the_lock

WRITES = re.compile(r"^\s*(BEGIN IMMEDIATE|INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path}/lock.sqlite", WTF_CSRF_ENABLED=True, INBOUND_TOKEN="")
    with app.app_context():
        db.create_all()
        account("org@example.org")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def statements(sqlite_app: Flask) -> list[str]:
    """Every statement SQLite runs for the app from now on, as SQLite itself reports them."""
    seen: list[str] = []
    with sqlite_app.app_context():
        db.engine.dispose()  # connections made from here on are traced
        event.listen(db.engine, "connect", lambda connection, _record: connection.set_trace_callback(seen.append))
    return seen


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_refused_posts_take_no_write_lock(sqlite_app: Flask, statements: list[str]) -> None:
    client = sqlite_app.test_client()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    privacy_token = csrf_token(client.get("/privacy/my-data").get_data(as_text=True))
    refused = {
        "a wrong password": client.post(
            "/admin/login", data={"email": "org@example.org", "password": "wrong", "csrf_token": token}
        ),
        "a disabled webhook": client.post("/inbound/email", data=b"From: x@example.org\r\n\r\nHi"),
        "a privacy form with a mistake": client.post(
            "/privacy/my-data", data={"email": "not an address", "csrf_token": privacy_token}
        ),
        "a missing CSRF token": client.post("/admin/login", data={"email": "org@example.org", "password": PASSWORD}),
    }
    assert [response.status_code for response in refused.values()] == [200, 404, 400, 400]
    assert "klopt niet" in refused["a wrong password"].get_data(as_text=True)
    assert [s for s in statements if WRITES.match(s)] == [], "a refused request wrote or took the write lock"
    logged_in = client.post(
        "/admin/login", data={"email": "org@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert logged_in.status_code == 302
    assert "BEGIN IMMEDIATE" in statements, "a login that succeeds records it under the write lock"


def test_a_post_holds_the_lock_from_its_first_write_until_it_commits(sqlite_app: Flask, tmp_path: Path) -> None:
    seen: dict[str, bool] = {}
    path = tmp_path / "lock.sqlite"

    def free() -> bool:
        holder = threading.Thread(target=lambda: seen.update(free=other_writer_gets_the_lock(path)))
        holder.start()
        holder.join()
        return seen["free"]

    @sqlite_app.post("/probe/<int:writes>")
    def probe(writes: int) -> str:
        db.session.execute(text("SELECT count(*) FROM account"))
        seen["while reading"] = free()
        if writes:
            db.session.execute(text("UPDATE account SET active = active"))
            seen["after writing"] = free()
        db.session.commit()
        seen["after commit"] = free()
        return "ok"

    sqlite_app.config["WTF_CSRF_ENABLED"] = False
    client = sqlite_app.test_client()
    client.post("/probe/0")
    assert (seen["while reading"], seen["after commit"]) == (True, True)
    client.post("/probe/1")
    assert (seen["while reading"], seen["after writing"], seen["after commit"]) == (True, False, True)
