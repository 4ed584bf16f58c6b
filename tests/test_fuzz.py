"""Fuzzing every public form and the inbound webhook with hypothesis: whatever comes in, the answer is never a
server error. `make test` runs a few hundred examples; `bench/fuzz.sh` runs many thousands (FUZZ_EXAMPLES)."""

import io
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach.campaigns import tokens
from outreach.extensions import db
from tests.builders import PASSWORD, account, build_directory, campaign, sent_letters
from tests.conftest import make_app

ORGANISER = "org@example.org"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# Characters that look like one thing and are another: digits of other scripts (Python's isdigit() says yes to
# all of them), bidi controls that turn text around on screen, zero widths, and the e-mail header's encoded words.
UNICODE_DIGITS = "²³¹①⑩٠١٢۳४৫๖１𝟙\u00bd"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200d\ufeff"
ENCODED_WORDS = [
    "=?utf-8?B?R2VhY2h0ZSBLYW1lcg==?=",
    "=?UTF-8?Q?Ye=C5=9Filg=C3=B6z?=",
    "=?iso-8859-1?q?caf=E9?= =?utf-8?b?w6k=?=",
    "=?utf-8?B?not base64?=",
    "=?unknown-charset?Q?x?=",
    "=?utf-8?Q?=0D=0ABcc:_x@evil.example?=",
    "=?utf-8*nl?Q?a?=",
    "=??=",
]
# Any text a browser could send (no lone surrogates: they cannot be encoded), weighted towards the hard cases.
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(
        ["", " ", "\r\n", "\x00", "{{7*7}}", "{supporter_name.__class__}", "%(x)s", "a@b.c", "9999999999999999999999"]
    ),
    st.text(alphabet="\r\n\t\x00\x01\u2028 <>\"'{}%@;,:", max_size=40),
    st.text(alphabet=UNICODE_DIGITS + BIDI + "0123456789:=?abc@. ", max_size=40),
    st.lists(st.one_of(st.sampled_from(ENCODED_WORDS), st.text(alphabet=BIDI + "ab ", max_size=5)), max_size=5).map(
        " ".join
    ),
)
# Recipient keys as the chooser writes them, and as they arrive after a copy, a paste or a script.
recipient_key = st.one_of(
    st.sampled_from(["member:1", "member:2", "extra:1"]),
    st.builds(
        "{}:{}".format,
        st.sampled_from(["member", "extra", "Member", "", "committee"]),
        st.text(alphabet=UNICODE_DIGITS + BIDI + "0123456789-+ ", min_size=0, max_size=12),
    ),
    # Only digits to Python: the kind of key `isdigit()` lets through and `int()` may still refuse.
    st.builds("{}:{}".format, st.sampled_from(["member", "extra"]), st.text(alphabet=UNICODE_DIGITS[:-1], min_size=1)),
    text,
)
FORM_FIELDS = [
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
form = st.dictionaries(st.sampled_from(FORM_FIELDS), text, max_size=10)


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
        account(ORGANISER, "admin")
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
@given(data=form, to=st.lists(recipient_key, max_size=12))
@example(data={}, to=["member:²"]).via("keys that once failed the chooser")
@example(data={"action": "send"}, to=["member:1", "extra:③"]).via("keys that once failed the chooser")
def test_the_letter_form(site, data: dict, to: list[str]) -> None:
    app, _known = site
    client: FlaskClient = app.test_client()
    no_server_error(client.post("/campaigns/khojaly/letter", data={**data, "to": to}))
    no_server_error(client.get("/campaigns/khojaly/letter", query_string={"to": to, **data}))


@FUZZ
@given(
    args=st.dictionaries(
        st.sampled_from(["q", "party", "committee", "role", "to", "action", "add_committee", "ref", "page"]),
        st.one_of(text, recipient_key),
        max_size=6,
    )
)
@example(args={"to": "member:①"}).via("keys that once failed the chooser")
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


# Forms sent as multipart with some fields holding a file: what a script, or a mistaken upload, sends. (A line break
# in the file name would break the part's header, and the part would arrive as text.)
file_name = st.one_of(text, st.sampled_from(["brief.txt", "", "../x", "=?utf-8?B?YnJpZWYudHh0?="]))
file_part = st.tuples(st.binary(max_size=200), file_name.map(lambda name: name.replace("\r", "").replace("\n", "")))


@FUZZ
@given(data=form, files=st.dictionaries(st.sampled_from(FORM_FIELDS), file_part, min_size=1, max_size=3))
@example(data={"action": "preview"}, files={"body": (b"Geachte Kamer,", "brief.txt")}).via("a file as the letter")
def test_files_where_forms_expect_text(site, data: dict, files: dict) -> None:
    app, known = site
    client = app.test_client()
    for path in (
        "/campaigns/khojaly/letter",
        "/campaigns/khojaly/meter",
        f"/survey/{known['survey']}",
        f"/confirm/{known['confirm']}",
        "/privacy/my-data",
        "/admin/login",
    ):
        parts = {**data, **{name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}}
        response = client.post(path, data={"to": "member:1", **parts}, content_type="multipart/form-data")
        no_server_error(response)
        assert response.status_code == 400, path


# Return addresses made of the characters that turn a path into another site's address, raw and percent-encoded.
tricky_path = st.lists(
    st.sampled_from(["/", "\\", "\t", "\n", "\r", "\x00", "\u202e", " ", "%", "09", "2F", "5C", "25", "e.x", ":"])
).map(lambda parts: "/" + "".join(parts))


@FUZZ
@given(target=st.one_of(text, tricky_path, st.builds("/%{:02X}/{}".format, st.integers(0, 255), text)))
@example(target="/\t/evil.example").via("a tab once led to another site")
@example(target="/a\nb").via("a line break once failed the switch")
def test_return_addresses_stay_on_the_site(site, target: str) -> None:
    app, _known = site
    client = app.test_client()
    for response in (
        client.get("/language/en", query_string={"next": target}),
        client.post("/admin/login", query_string={"next": target}, data={"email": ORGANISER, "password": PASSWORD}),
    ):
        no_server_error(response)
        location = response.headers.get("Location")
        if location is not None:
            # What a browser does with it: tabs and line breaks dropped, "\" read as "/".
            seen = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
            assert seen.startswith("/") and not seen.startswith("//"), (target, location)


# The organisers' forms and lists: the fields they post and the filters in their addresses.
ADMIN_FIELDS = [
    "slug",
    "status",
    "title_nl",
    "title_en",
    "intro_nl",
    "subject_nl",
    "body_nl",
    "body_en",
    "all_members",
    "parties",
    "committees",
    "extra_targets",
    "preselect_committee",
    "max_recipients",
    "daily_cap",
    "goal",
    "action",
    "preview_member",
    "preview_language",
    "email",
    "salutation",
    "note",
    "do_not_write",
    "name",
    "active",
    "csv_text",
    "kind",
    "channel",
    "campaign",
    "member",
    "received",
    "stance",
    "text",
    "subject",
    "tracking_address",
    "message",
    "download",
    "role",
    "password",
    "back",
]
ADMIN_FORMS = [
    "/admin/campaigns/new",
    "/admin/directory/members/1",
    "/admin/directory/committees/1",
    "/admin/directory/targets/new",
    "/admin/directory/import/apply",
    "/admin/replies/new",
    "/admin/outbox/cancel-supporter",
    "/admin/outbox/undeliverable/clear",
    "/admin/outbox/1/retry",
    "/admin/privacy/",
    "/admin/accounts",
]
ADMIN_LISTS = ["/admin/directory/", "/admin/replies/", "/admin/outbox/", "/admin/audit", "/admin/reports/1"]


@FUZZ
@given(
    data=st.dictionaries(st.sampled_from(ADMIN_FIELDS), st.one_of(text, recipient_key), max_size=12),
    args=st.dictionaries(
        st.sampled_from(["q", "show", "campaign", "kind", "page", "status", "party"]), text, max_size=4
    ),
)
def test_the_organisers_forms(site, data: dict, args: dict) -> None:
    app, _known = site
    client = app.test_client()
    assert client.post("/admin/login", data={"email": ORGANISER, "password": PASSWORD}).status_code == 302
    for path in ADMIN_FORMS:
        no_server_error(client.post(path, data=data))
    for path in ADMIN_LISTS:
        no_server_error(client.get(path, query_string=args))
