"""The recipient chooser: finding members, the chosen ones as removable chips, whole committees within the cap,
roles, name search across alphabets, extra addresses and committee addresses as recipients."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.builders import campaign


@pytest.fixture
def live(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    """A live campaign writing to every member, over the small known directory."""
    with app.app_context():
        campaign()
    return directory


def test_the_chooser_shows_four_steps_with_choosing_as_the_current_one(client: FlaskClient, live: dict) -> None:
    html = client.get("/campaigns/khojaly/choose").get_data(as_text=True)
    steps = re.search(r'<ol class="steps".*?</ol>', html, re.S).group(0)
    assert re.findall(r"<li[^>]*>([^<]+)", steps) == [
        "Ontvangers kiezen",
        "Uw brief",
        "Bevestigen per e-mail",
        "Klaar",
    ]
    assert re.search(r'<li[^>]*aria-current="step"[^>]*>Ontvangers kiezen', steps)
    assert steps.count("aria-current") == 1
