"""Organiser accounts: logging in and out, throttling, passwords, roles, the audit log, the first admin."""

import re
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
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


# Password change, reset by e-mail, the second factor.

REQUIRED_FOR_ADMINS = {"ACCOUNTS_REQUIRE_TOTP_FOR": "admin"}
NEW_PASSWORD = "kastanje regenjas fluit 77"


def change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/admin/account/password",
        data={"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm},
    )


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(
    app: Flask, organiser: FlaskClient
) -> None:
    elsewhere = app.test_client()
    assert log_in(elsewhere, "org@example.org").status_code == 302
    wrong = change_password(organiser, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "Uw huidige wachtwoord klopt niet." in wrong.get_data(as_text=True)
    weak = change_password(organiser, PASSWORD, "password1234")
    assert weak.status_code == 400 and "te vaak voor of is te makkelijk te raden" in weak.get_data(as_text=True)
    typo = change_password(organiser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert typo.status_code == 400 and "De twee nieuwe wachtwoorden zijn niet gelijk." in typo.get_data(as_text=True)
    assert elsewhere.get("/admin/").status_code == 200  # nothing changed yet

    done = change_password(organiser, PASSWORD, NEW_PASSWORD)
    assert done.headers["Location"] == "/admin/account"
    assert organiser.get("/admin/").status_code == 200  # this session carries on
    assert elsewhere.get("/admin/").headers["Location"].startswith("/admin/login")  # the other one ended
    assert log_in(app.test_client(), "org@example.org").status_code == 200  # the old password no longer works
    assert log_in(app.test_client(), "org@example.org", NEW_PASSWORD).status_code == 302
    assert "change password" in audit_actions(app)


def reset_links(app: Flask, email: str) -> list[str]:
    from outreach.outbox.models import OutboxMessage

    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
        )
        return [re.search(r"http://\S+(/admin/password-reset/\S+)", body).group(1) for body in bodies]


def reset(client: FlaskClient, link: str, password: str = NEW_PASSWORD):
    return client.post(link, data={"new_password": password, "confirm": password})


def test_asking_for_a_reset_link_answers_the_same_whether_or_not_the_account_exists(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        account("org@example.org")
        account("gone@example.org", active=False)
    answers = [
        client.post("/admin/password-reset", data={"email": email}, follow_redirects=True)
        for email in ("Org@example.org", "nobody@example.org", "gone@example.org")
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].get_data(as_text=True) == answers[1].get_data(as_text=True) == answers[2].get_data(as_text=True)
    assert "Als er een organisatorenaccount voor dit adres bestaat" in answers[0].get_data(as_text=True)
    assert len(reset_links(app, "org@example.org")) == 1
    assert reset_links(app, "nobody@example.org") == reset_links(app, "gone@example.org") == []
    bad = client.post("/admin/password-reset", data={"email": "not an address"})
    assert bad.status_code == 400 and "Vul één e-mailadres in" in bad.get_data(as_text=True)


def test_a_reset_link_opens_a_form_works_once_and_ends_every_session(app: Flask, organiser: FlaskClient) -> None:
    visitor = app.test_client()
    visitor.post("/admin/password-reset", data={"email": "org@example.org"})
    [link] = reset_links(app, "org@example.org")
    opened = visitor.get(link)  # a mail scanner opening the link changes nothing
    assert opened.status_code == 200 and opened.headers["Referrer-Policy"] == "no-referrer"
    assert "Kies een nieuw wachtwoord" in opened.get_data(as_text=True)
    assert visitor.get(link).status_code == 200
    assert reset(visitor, link, "password1234").status_code == 400

    assert reset(visitor, link).headers["Location"] == "/admin/login"
    assert organiser.get("/admin/").headers["Location"].startswith("/admin/login")  # logged out everywhere
    assert log_in(app.test_client(), "org@example.org", NEW_PASSWORD).status_code == 302
    assert (
        visitor.get(link).status_code == 410 and reset(visitor, link, "nog een ander wachtwoord 1").status_code == 410
    )
    assert audit_actions(app)[-3:] == ["send password reset link", "reset password", "log in"]


def test_a_reset_link_expires_and_a_later_link_or_password_change_replaces_it(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        account("org@example.org")
    for _ in range(2):
        client.post("/admin/password-reset", data={"email": "org@example.org"})
    first, second = reset_links(app, "org@example.org")
    assert client.get(first).status_code == 410 and client.get(second).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(Account))
        row.reset_sent_at -= timedelta(minutes=61)
        db.session.commit()
    assert client.get(second).status_code == 410

    client.post("/admin/password-reset", data={"email": "org@example.org"})
    third = reset_links(app, "org@example.org")[-1]
    log_in(client, "org@example.org")
    change_password(client, PASSWORD, NEW_PASSWORD)
    assert client.get(third).status_code == 410
    assert app.test_client().get("/admin/password-reset/" + "x" * 500).status_code == 410


def test_reset_links_are_limited_per_address_and_per_client(app: Flask) -> None:
    with app.app_context():
        account("org@example.org")
    statuses = []
    for i in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i}"
        statuses.append(client.post("/admin/password-reset", data={"email": "org@example.org"}).status_code)
    assert statuses == [302, 302, 302, 429]
    assert len(reset_links(app, "org@example.org")) == 3
    one_client = app.test_client()
    answers = [one_client.post("/admin/password-reset", data={"email": f"x{i}@example.org"}) for i in range(11)]
    assert [a.status_code for a in answers] == [302] * 10 + [429]


def enrol(client: FlaskClient) -> tuple[pyotp.TOTP, list[str]]:
    """Set up the second factor through the pages; returns the app's TOTP and the recovery codes shown."""
    page = client.get("/admin/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and "QR-code voor uw authenticator-app" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    refused = client.post("/admin/account/second-factor", data={"code": wrong_code(totp)})
    assert refused.status_code == 400 and "Deze code klopt niet." in refused.get_data(as_text=True)
    shown = client.post("/admin/account/second-factor", data={"code": totp.now()})
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", shown.get_data(as_text=True))
    return totp, codes


def wrong_code(totp: pyotp.TOTP) -> str:
    """Six digits that are no code of the steps around now."""
    near = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in ("111111", "222222", "333333", "444444", "555555", "666666") if code not in near)


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step: accepted (for a phone clock a little ahead), and not used yet."""
    return totp.at(time.time() + 30)


def test_login_with_a_second_factor_needs_a_fresh_code_before_the_session_is_logged_in(
    app: Flask, organiser: FlaskClient
) -> None:
    totp, codes = enrol(organiser)
    assert len(codes) == len(set(codes)) == 10
    with app.app_context():
        row = db.session.scalar(select(Account))
        assert row.totp_enabled_at is not None and row.totp_secret == totp.secret
        assert all(code not in str(row.recovery_codes[0].code_hash) for code in codes)
    organiser.post("/admin/logout")

    first_step = log_in(organiser, "org@example.org")
    assert first_step.headers["Location"] == "/admin/login/code"
    assert organiser.get("/admin/").headers["Location"].startswith("/admin/login")  # not logged in yet
    wrong = organiser.post("/admin/login/code", data={"code": wrong_code(totp)})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    code = next_code(totp)
    assert organiser.post("/admin/login/code", data={"code": code}).headers["Location"] == "/admin/"
    assert organiser.get("/admin/").status_code == 200

    again = app.test_client()
    log_in(again, "org@example.org")
    assert again.post("/admin/login/code", data={"code": code}).status_code == 400  # the same code, once only
    assert again.get("/admin/").status_code == 302
    actions = audit_actions(app)
    assert actions.count("failed second-factor code") >= 2 and "enrol second factor" in actions


def test_recovery_codes_log_in_once_each_and_new_ones_replace_them(app: Flask, organiser: FlaskClient) -> None:
    _totp, codes = enrol(organiser)
    organiser.post("/admin/logout")
    log_in(organiser, "org@example.org")
    used = organiser.post("/admin/login/code", data={"code": codes[0].upper().replace("-", " ")})
    assert used.headers["Location"] == "/admin/"
    assert "Herstelcode gebruikt; nog 9 over." in organiser.get("/admin/").get_data(as_text=True)
    assert "use recovery code" in audit_actions(app)

    other = app.test_client()
    log_in(other, "org@example.org")
    assert other.post("/admin/login/code", data={"code": codes[0]}).status_code == 400

    fresh = organiser.post("/admin/account/recovery-codes", data={"password": PASSWORD})
    new_codes = re.findall(r"<code>([a-z0-9-]{19})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10
    assert other.post("/admin/login/code", data={"code": codes[1]}).status_code == 400  # the old ones are gone
    assert other.post("/admin/login/code", data={"code": new_codes[0]}).status_code == 302


def test_the_code_step_expires_and_is_rate_limited(app: Flask, organiser: FlaskClient) -> None:
    totp, _codes = enrol(organiser)
    organiser.post("/admin/logout")
    client = app.test_client()
    log_in(client, "org@example.org")
    with client.session_transaction() as session:
        session["login_pending"] = {**session["login_pending"], "since": session["login_pending"]["since"] - 301}
    late = client.post("/admin/login/code", data={"code": next_code(totp)})
    assert late.headers["Location"] == "/admin/login"
    log_in(client, "org@example.org")
    statuses = [client.post("/admin/login/code", data={"code": wrong_code(totp)}).status_code for _ in range(4)]
    assert statuses == [400] * 4  # with the late one, five codes in a minute ...
    refused = client.post("/admin/login/code", data={"code": next_code(totp)})
    assert refused.status_code == 429  # ... and then not even the right one
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("app_config", [REQUIRED_FOR_ADMINS])
def test_admins_set_up_a_second_factor_before_they_can_use_the_organiser_pages(
    app: Flask, admin: FlaskClient, organiser_account: None
) -> None:
    for path in ("/admin/", "/admin/directory/", "/admin/accounts", "/admin/account"):
        assert admin.get(path).headers["Location"] == "/admin/account/second-factor", path
    page = admin.get("/admin/account/second-factor").get_data(as_text=True)
    assert "Uw rol vereist een tweede factor" in page
    _totp, codes = enrol(admin)
    assert len(codes) == 10 and admin.get("/admin/").status_code == 200
    remove = admin.post("/admin/account/second-factor/remove", data={"password": PASSWORD}, follow_redirects=True)
    assert "kan niet worden uitgezet" in remove.get_data(as_text=True)
    organiser = app.test_client()
    log_in(organiser, "org@example.org")
    assert organiser.get("/admin/").status_code == 200  # organisers choose for themselves by default


@pytest.fixture
def organiser_account(app: Flask) -> None:
    with app.app_context():
        account("org@example.org")


@pytest.mark.parametrize("app_config", [{"ACCOUNTS_REQUIRE_TOTP_FOR": "all"}])
def test_the_setting_can_require_a_second_factor_of_organisers_too(app: Flask, organiser: FlaskClient) -> None:
    assert organiser.get("/admin/campaigns/").headers["Location"] == "/admin/account/second-factor"


def test_an_organiser_may_switch_their_own_second_factor_off_with_their_password(
    app: Flask, organiser: FlaskClient
) -> None:
    enrol(organiser)
    wrong = organiser.post("/admin/account/second-factor/remove", data={"password": "wrong"}, follow_redirects=True)
    assert "Uw wachtwoord klopt niet." in wrong.get_data(as_text=True)
    organiser.post("/admin/account/second-factor/remove", data={"password": PASSWORD})
    organiser.post("/admin/logout")
    assert log_in(organiser, "org@example.org").headers["Location"] == "/admin/"
    assert "remove second factor" in audit_actions(app)


def test_an_admin_or_the_command_line_removes_a_locked_out_account_s_second_factor(
    app: Flask, admin: FlaskClient, runner: FlaskCliRunner
) -> None:
    locked_out = app.test_client()
    with app.app_context():
        account("org@example.org")
    log_in(locked_out, "org@example.org")
    enrol(locked_out)
    with app.app_context():
        org_id = db.session.scalar(select(Account.id).where(Account.email == "org@example.org"))
    assert "Verwijderen" in admin.get("/admin/accounts").get_data(as_text=True)
    admin.post(f"/admin/accounts/{org_id}/second-factor")
    assert locked_out.get("/admin/").headers["Location"].startswith("/admin/login")  # its sessions ended
    assert log_in(locked_out, "org@example.org").headers["Location"] == "/admin/"  # no code asked any more

    enrol(locked_out)
    result = runner.invoke(args=["accounts", "reset-totp", "ORG@example.org"])
    assert result.exit_code == 0 and "removed" in result.output
    assert runner.invoke(args=["accounts", "reset-totp", "nobody@example.org"]).exit_code == 1
    assert "nothing changed" in runner.invoke(args=["accounts", "reset-totp", "org@example.org"]).output
    with app.app_context():
        assert db.session.get(Account, org_id).totp_secret is None
    assert audit_actions(app).count("reset second factor") == 2


def test_first_admin_says_a_second_factor_comes_at_the_first_login(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/f.sqlite", ACCOUNTS_REQUIRE_TOTP_FOR="admin")
    with app.app_context():
        db.create_all()
    output = app.test_cli_runner().invoke(args=["accounts", "first-admin"]).output
    assert "second factor" in output and "authenticator app" in output


def test_an_unknown_or_empty_second_factor_setting_stops_the_app(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ACCOUNTS_REQUIRE_TOTP_FOR"):
        make_app(f"sqlite:///{tmp_path}/x.sqlite", ACCOUNTS_REQUIRE_TOTP_FOR="everyone")
    with pytest.raises(RuntimeError, match="ACCOUNTS_REQUIRE_TOTP_FOR"):
        make_app(f"sqlite:///{tmp_path}/x.sqlite", ACCOUNTS_REQUIRE_TOTP_FOR="none", TESTING=False)


def test_a_reset_password_still_asks_for_the_second_factor(app: Flask, organiser: FlaskClient) -> None:
    totp, _codes = enrol(organiser)
    visitor = app.test_client()
    visitor.post("/admin/password-reset", data={"email": "org@example.org"})
    reset(visitor, reset_links(app, "org@example.org")[-1])
    assert log_in(visitor, "org@example.org", NEW_PASSWORD).headers["Location"] == "/admin/login/code"
    assert visitor.get("/admin/").status_code == 302
    assert visitor.post("/admin/login/code", data={"code": next_code(totp)}).headers["Location"] == "/admin/"
