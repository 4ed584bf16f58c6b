"""Fuzzing every public form and the inbound webhook with hypothesis: whatever comes in, the answer is never a
server error. `make test` runs a few hundred examples; `bench/fuzz.sh` runs many thousands (FUZZ_EXAMPLES)."""

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.campaigns import tokens
from outreach.extensions import db
from tests.builders import build_directory, campaign, sent_letters
from tests.conftest import make_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# Any text a browser could send (no lone surrogates: they cannot be encoded), weighted towards the hard cases.
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(
        ["", " ", "\r\n", "\x00", "{{7*7}}", "{supporter_name.__class__}", "%(x)s", "a@b.c", "9999999999999999999999"]
    ),
    st.text(alphabet="\r\n\t\x00\x01\u2028 <>\"'{}%@;,:", max_size=40),
)
form = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "email",
            "place",
            "subject",
            "body",
            "consent",
            "newsletter",
            "website",
            "form_token",
            "lang",
            "action",
            "to",
            "answer",
            "text",
            "csrf_token",
        ]
    ),
    text,
    max_size=10,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict]]:
    """One application for all examples (SQLite), with a live campaign, members and a sent letter."""
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
    app = make_app(
        f"sqlite:///{path}",
        FORM_MIN_SECONDS=0,
        RATELIMIT_ENABLED=False,
        INBOUND_TOKEN="fuzz-token",
        REPLY_ADDRESS="replies@campaign.example",
    )
    with app.app_context():
        db.create_all()
        ids = build_directory()
        row = campaign()
        [letter] = sent_letters(row, [ids["yesilgoz"]])
        with app.test_request_context():
            known = {
                "members": ids,
                "survey": tokens.sign(letter.id, "replies-survey"),
                "confirm": tokens.confirmation(letter.submission_id),
            }
    yield app, known
    with app.app_context():
        db.engine.dispose()


def no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])


@FUZZ
@given(data=form, to=st.lists(st.one_of(text, st.sampled_from(["member:1", "member:2", "extra:1"])), max_size=12))
def test_the_letter_form(site, data: dict, to: list[str]) -> None:
    app, _known = site
    client: FlaskClient = app.test_client()
    no_server_error(client.post("/campaigns/khojaly/letter", data={**data, "to": to}))
    no_server_error(client.get("/campaigns/khojaly/letter", query_string={"to": to, **data}))


@FUZZ
@given(
    args=st.dictionaries(
        st.sampled_from(["q", "party", "committee", "role", "to", "action", "add_committee", "ref", "page"]),
        text,
        max_size=6,
    )
)
def test_searching_and_choosing(site, args: dict) -> None:
    app, _known = site
    client = app.test_client()
    for path in ("/members", "/campaigns/khojaly/choose", "/campaigns/khojaly", "/committees", "/parties"):
        no_server_error(client.get(path, query_string=args))


@FUZZ
@given(data=form, token=text)
def test_links_and_small_forms(site, data: dict, token: str) -> None:
    app, known = site
    client = app.test_client()
    for path in (f"/survey/{known['survey']}", f"/confirm/{known['confirm']}", "/privacy/my-data", "/admin/login"):
        no_server_error(client.post(path, data=data))
    safe = token.replace("/", "").replace("?", "").replace("#", "")
    for path in (
        f"/survey/{safe}",
        f"/confirm/{safe}",
        f"/opt-out/{safe}",
        f"/privacy/my-data/{safe}",
        f"/language/{safe}",
    ):
        no_server_error(client.get(path))
        no_server_error(client.post(path, data=data))


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=3000), text.map(lambda value: value.encode("utf-8"))),
    headers=st.lists(text, max_size=6),
)
def test_the_inbound_webhook(site, body: bytes, headers: list[str]) -> None:
    app, _known = site
    client = app.test_client()
    # Random bytes, and messages with random header lines in front of a plausible body.
    lines = [line.replace("\r", "").replace("\n", "") for line in headers]
    message = (
        "\r\n".join(
            f"{name}: {value}"
            for name, value in zip(
                ["From", "To", "Subject", "Message-ID", "In-Reply-To", "Content-Type"], lines, strict=False
            )
        )
        + "\r\n\r\n"
    ).encode("utf-8", "replace") + body
    for raw in (body, message):
        response = client.post("/inbound/email", data=raw, headers={"Authorization": "Bearer fuzz-token"})
        no_server_error(response)
