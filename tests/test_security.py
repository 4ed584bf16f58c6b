"""The web security baseline, checked over every route in app.url_map so that new routes are covered too."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import log_in, make_app

ADMIN_ONLY = {
    "accounts.accounts",
    "accounts.toggle_active",
    "accounts.reset_second_factor",
    "accounts.audit_log",
    "organisation_admin.edit",
}
PUBLIC_ADMIN = {
    "accounts.login",
    "accounts.login_code",
    "accounts.request_reset",
    "accounts.reset_sent",
    "accounts.reset_password",
}


def admin_rules(app: Flask) -> list:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and r.endpoint not in PUBLIC_ADMIN]


def url_for_rule(rule, ids: dict[str, int] | None = None) -> str:
    """The rule's path with every variable filled (ids from the test directory where it has them)."""
    values = {
        "member_id": 1,
        "committee_id": 1,
        "target_id": 1,
        "run_id": 1,
        "account_id": 1,
        "abbreviation": "VVD",
        "code": "en",
        "filename": "style.css",
        "message_id": 1,
        "campaign_id": 1,
        "action": "cancel",
        "token": "not-a-token",
        "name": "1-1.eml",
        "slug": "khojaly",
        "submission_id": 1,
        "letter_id": 1,
        "reply_id": 1,
        "watch_id": 1,
        "match_id": 1,
        "action_id": 1,
        "kind": "svg",
        "via": "mailto",
        **(ids or {}),
    }
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_the_admin_area_has_routes_to_check(app: Flask) -> None:
    assert len(admin_rules(app)) >= 15
    assert {r.endpoint for r in admin_rules(app)} >= ADMIN_ONLY


def test_every_admin_route_sends_anonymous_visitors_to_the_login(app: Flask, client: FlaskClient) -> None:
    for rule in admin_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url_for_rule(rule), method=method)
            assert response.status_code == 302, (rule.rule, method)
            assert response.headers["Location"].startswith("/admin/login"), (rule.rule, method)


def test_admin_only_routes_refuse_organisers(app: Flask, organiser: FlaskClient) -> None:
    for rule in sorted(admin_rules(app), key=lambda r: r.endpoint == "accounts.logout"):  # log out last
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = organiser.open(url_for_rule(rule), method=method).status_code
            if rule.endpoint in ADMIN_ONLY:
                assert status == 403, (rule.rule, method)
            else:
                assert status != 403, (rule.rule, method)


def test_every_post_route_refuses_a_request_without_csrf_token(tmp_path) -> None:
    from outreach.extensions import db

    app = make_app(f"sqlite:///{tmp_path}/csrf.sqlite", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    # The inbound-mail webhook takes no form: it is authenticated by its bearer token instead (tested with it).
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "replies.inbound"]
    assert len(posts) >= 8
    client = app.test_client()
    for rule in posts:
        response = client.post(url_for_rule(rule), data={"email": "x@example.org", "password": "y"})
        assert response.status_code == 400, rule.rule
        assert "Ongeldig verzoek" in response.get_data(as_text=True), rule.rule


def test_login_works_with_the_csrf_token_from_the_form(tmp_path) -> None:
    from outreach.extensions import db
    from tests.builders import PASSWORD, account

    app = make_app(f"sqlite:///{tmp_path}/csrf.sqlite", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        account("org@example.org")
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/admin/login").get_data(True))
    response = client.post(
        "/admin/login", data={"email": "org@example.org", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


def get_routes(app: Flask) -> list:
    return [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_security_headers_on_every_get_route(app: Flask, client: FlaskClient, directory: dict, who: str) -> None:
    if who == "admin":
        from tests.builders import account

        with app.app_context():
            account("admin@example.org", "admin")
        log_in(client, "admin@example.org")
    ids = {"member_id": directory["yesilgoz"], "committee_id": directory["buza"]}
    for rule in get_routes(app):
        response = client.get(url_for_rule(rule, ids))
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'"), rule.rule
        assert (
            "script-src" not in headers["Content-Security-Policy"]
            and "unsafe-inline" not in headers["Content-Security-Policy"]
        )
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff", rule.rule
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), rule.rule
        # A link with a token in it is never handed on to another site.
        referrer = "no-referrer" if "<token>" in rule.rule else "strict-origin-when-cross-origin"
        assert headers["Referrer-Policy"] == referrer, rule.rule
        if rule.rule.startswith("/admin"):
            assert headers["Cache-Control"] == "no-store", rule.rule


def test_cookies_are_secure_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    from tests.builders import account

    with app.app_context():
        account("org@example.org")
    response = log_in(client, "org@example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"))
    language = client.get("/language/en").headers["Set-Cookie"]
    assert all(flag in language for flag in ("Secure", "HttpOnly", "SameSite=Lax"))


def test_local_debug_cookies_work_over_plain_http(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/d.sqlite", DEBUG=True, TESTING=False)
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["SESSION_COOKIE_NAME"] == "session"


def test_behind_a_proxy_login_limits_count_the_real_client(tmp_path) -> None:
    from outreach.extensions import db
    from tests.builders import account

    app = make_app(f"sqlite:///{tmp_path}/p.sqlite", PROXY_COUNT=1)
    with app.app_context():
        db.create_all()
        account("org@example.org")
    client = app.test_client()
    for i in range(5):
        forwarded = {"X-Forwarded-For": f"192.0.2.{i}"}
        client.post("/admin/login", data={"email": f"n{i}@example.org", "password": "x"}, headers=forwarded)
    sixth = client.post(
        "/admin/login", data={"email": "n9@example.org", "password": "x"}, headers={"X-Forwarded-For": "192.0.2.9"}
    )
    assert sixth.status_code == 200  # five other clients behind the same proxy did not use up this one's limit


def test_too_large_uploads_and_server_errors_get_friendly_pages(tmp_path) -> None:
    from outreach.extensions import db

    app = make_app(f"sqlite:///{tmp_path}/e.sqlite", PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        db.create_all()

    @app.get("/broken")
    def broken() -> str:
        raise RuntimeError("a bug")

    client = app.test_client()
    too_large = client.post("/admin/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert too_large.status_code == 413 and "Te groot" in too_large.get_data(as_text=True)
    error = client.get("/broken")
    assert error.status_code == 500
    assert "Er ging iets mis" in error.get_data(as_text=True) and "a bug" not in error.get_data(as_text=True)
