"""Organiser accounts: logging in and out, throttling, passwords, roles, the audit log, the first admin."""

import re
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.accounts import passwords
from outreach.accounts.models import Account, AuditEntry
from outreach.extensions import db
from tests.builders import PASSWORD, account
from tests.conftest import log_in, make_app

ROOT = Path(__file__).resolve().parent.parent


def test_login_lands_on_the_admin_home_and_logout_ends_the_session(
    app: Flask, client: FlaskClient, directory: dict
) -> None:
    with app.app_context():
        account("org@example.org")
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    response = log_in(client, "ORG@example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    home = client.get("/admin/").get_data(as_text=True)
    assert "Organisatorenhome" in home and re.search(r"<strong>1</strong> zonder e-mailadres", home)
    assert client.post("/admin/logout").headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302


def test_login_returns_to_the_page_asked_for(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("org@example.org")
    first = client.get("/admin/directory/?show=corrected")
    target = first.headers["Location"]
    response = client.post(target, data={"email": "org@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/directory/?show=corrected"


def test_wrong_password_and_unknown_address_get_the_same_answer_and_the_same_work(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        account("org@example.org")
    checks: list[str] = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda h, p: checks.append(h[:6]) or real(h, p))
    wrong = log_in(client, "org@example.org", "not the password at all")
    unknown = log_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.get_data(as_text=True).replace("org@", "X@") == unknown.get_data(as_text=True).replace("nobody@", "X@")
    assert "Het e-mailadres of het wachtwoord klopt niet." in wrong.get_data(as_text=True)
    assert checks == ["scrypt", "scrypt"]  # the unknown address is checked against a dummy scrypt hash


def test_a_switched_off_account_cannot_log_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("gone@example.org", active=False)
    assert log_in(client, "gone@example.org").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_the_session_is_replaced_at_login(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("org@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, "org@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_the_sixth_login_attempt_in_a_minute_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("org@example.org")
    statuses = [log_in(client, "org@example.org", f"wrong {i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = log_in(client, "org@example.org")  # even the right password, until the minute is over
    assert refused.status_code == 429 and "Te veel verzoeken" in refused.get_data(as_text=True)


def test_login_is_throttled_per_account_across_addresses(app: Flask) -> None:
    with app.app_context():
        account("org@example.org")
    for i in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i}"
        assert log_in(client, "org@example.org", "wrong").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    assert log_in(other, "org@example.org", "wrong").status_code == 429
    assert log_in(other, "someone@example.org", "wrong").status_code == 200


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_the_login_limit_holds_across_two_processes(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/shared.sqlite"
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    app = make_app(database, **config)
    with app.app_context():
        db.create_all()
        account("org@example.org")
    script = textwrap.dedent(f"""
        from tests.conftest import make_app, log_in
        app = make_app({database!r}, **{config!r})
        print([log_in(app.test_client(), "org@example.org", "wrong").status_code for _ in range(3)])
    """)
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert other.stdout.strip() == "[200, 200, 200]", other.stderr
    client = app.test_client()
    assert [log_in(client, "org@example.org", "wrong").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kort", "at least 12"),
        ("password1234", "too common"),
        ("qwertyuiop12", "too common"),
        ("org@example.org1", "too common"),
        ("x" * 300, "at most 256"),
    ],
)
def test_weak_passwords_are_refused(runner: FlaskCliRunner, password: str, problem: str) -> None:
    result = runner.invoke(args=["accounts", "add", "org@example.org", "--password", password])
    assert result.exit_code == 1 and problem in result.output


def test_accounts_add_hashes_with_scrypt(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["accounts", "add", "Admin@Example.org", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["accounts", "add", "admin@example.org", "--password", PASSWORD])
    assert again.exit_code == 1 and "already an account" in again.output
    with app.app_context():
        created = db.session.scalar(select(Account))
        assert created.email == "admin@example.org" and created.role == "admin"
        assert created.password_hash.startswith("scrypt:") and PASSWORD not in created.password_hash


def test_first_admin_is_created_once_with_a_generated_password(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    first = runner.invoke(args=["accounts", "first-admin"])
    password = re.search(r"with password: (\S+)", first.output).group(1)
    assert len(password) >= 16
    second = runner.invoke(args=["accounts", "first-admin"])
    assert "exist already" in second.output and password not in second.output
    assert log_in(client, "admin@outreach.localhost", password).status_code == 302


def test_admins_add_accounts_and_switch_them_off(app: Flask, admin: FlaskClient) -> None:
    page = admin.post("/admin/accounts", data={"email": "new@example.org", "role": "organiser"})
    shown = re.search(r'<span class="secret">([^<]+)</span>', page.get_data(as_text=True)).group(1)
    fresh = app.test_client()
    assert log_in(fresh, "new@example.org", shown).status_code == 302
    with app.app_context():
        new_id = db.session.scalar(select(Account.id).where(Account.email == "new@example.org"))
    admin.post(f"/admin/accounts/{new_id}/active")
    assert fresh.get("/admin/").status_code == 302  # switched off: logged out at the next request
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "account toegevoegd" in audit and "account uitgeschakeld" in audit and "admin@example.org" in audit


def test_the_audit_log_records_who_changed_what_without_contents(
    app: Flask, organiser: FlaskClient, directory: dict
) -> None:
    organiser.post(f"/admin/directory/members/{directory['hart']}", data={"email": "p.thart@tweedekamer.nl"})
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.account_email, entry.action, entry.record_type, entry.record_id, entry.detail) == (
            "org@example.org",
            "edit member corrections",
            "Member",
            str(directory["hart"]),
            "email",
        )
