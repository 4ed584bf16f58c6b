"""The web tier when the disk is full: a supporter's letter gets a friendly "try again" (503), nothing half-written,
and the same letter goes through once there is room again."""

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from outreach.campaigns.models import Letter, Submission
from outreach.extensions import db
from tests.builders import build_directory, campaign
from tests.campaign_helpers import letter_page, send_letter
from tests.conftest import make_app


def test_a_full_disk_costs_a_retry_not_a_letter(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/full.sqlite", FORM_MIN_SECONDS=0)
    with app.app_context():
        db.create_all()
        ids = build_directory()
        campaign()
        engine = db.engine
        pages = db.session.execute(db.text("PRAGMA page_count")).scalar()
    keys = [f"member:{ids['yesilgoz']}", f"member:{ids['de_vries']}"]
    client: FlaskClient = app.test_client()
    letter_page(client, keys)  # the page itself is only read: it works

    def no_room(dbapi_connection, _record) -> None:  # SQLite's own "database or disk is full" from the next page on
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    with app.app_context():
        engine.dispose()
    event.listen(engine, "connect", no_room)
    response = send_letter(client, keys, body="Geachte,\n\n" + "Een brief die niet meer past. " * 130)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "er is niets opgeslagen" in response.get_data(as_text=True)  # the page says so, in Dutch
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
        assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
        db.session.remove()
        engine.dispose()
    event.remove(engine, "connect", no_room)
    assert send_letter(client, keys).status_code == 302  # room again: the letter goes through
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Letter)) == 2
        db.session.remove()
        engine.dispose()
