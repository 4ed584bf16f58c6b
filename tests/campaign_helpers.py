"""Helpers for campaign tests: walking the supporter's path as a browser without JavaScript would."""

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from outreach.extensions import db
from outreach.outbox.models import CONFIRMATION, OutboxMessage

DETAILS = {"name": "Aysel Mammadova", "email": "aysel@example.org", "place": "Utrecht", "consent": "y"}


def form_token(html: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def letter_page(client: FlaskClient, keys: list[str], slug: str = "khojaly", **args: str) -> TestResponse:
    response = client.get(f"/campaigns/{slug}/letter", query_string={"to": keys, **args})
    assert response.status_code == 200, response.status_code
    return response


def send_letter(
    client: FlaskClient,
    keys: list[str],
    slug: str = "khojaly",
    action: str = "send",
    token: str | None = None,
    **fields,
) -> TestResponse:
    """Open the letter page for `keys`, then post it with the campaign's text unless `fields` change it."""
    html = letter_page(client, keys, slug, **({"lang": fields["lang"]} if "lang" in fields else {})).get_data(
        as_text=True
    )
    return client.post(f"/campaigns/{slug}/letter", data=letter_form(html, keys, action, token, **fields))


def letter_form(html: str, keys: list[str], action: str = "send", token: str | None = None, **fields) -> dict:
    """What the letter page at `html` posts for `keys`: the campaign's subject and text unless `fields` change them."""
    subject = re.search(r'id="subject" maxlength="200" name="subject"[^>]*value="([^"]*)"', html)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    data = {
        "to": keys,
        "lang": fields.pop("lang", "nl"),
        "form_token": token or form_token(html),
        "subject": unescape(subject.group(1)) if subject else "",
        "body": unescape(body),
        "action": action,
        **DETAILS,
        **fields,
    }
    return {key: value for key, value in data.items() if value is not None}


def unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def confirmation_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == CONFIRMATION)))


def confirmation_path(message: OutboxMessage) -> str:
    return re.search(r"http://[^/\s]+(/confirm/\S+)", message.body).group(1)
