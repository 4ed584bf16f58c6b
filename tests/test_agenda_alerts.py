"""Supporters who asked to be kept informed hear of a debate the campaign follows once, and again only when it is
moved or cancelled; never twice for the same change, at most once a day, never after they stopped it, and never
when they did not ask or did not confirm their letter. Every alert goes through the outbox with a link to stop."""

import re
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.agenda.models import WatchMatch
from outreach.agenda.sync import run_agenda_sync
from outreach.campaigns.models import Submission
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from outreach.outbox.models import OutboxMessage
from tests.builders import campaign, sent_letters
from tests.tkagenda import Business
from tests.tkfeed import Feed, serve

SUBJECT = "Commissiedebat Zuidelijke Kaukasus en Azerbeidzjan"


def sync(app: Flask, feed: Feed, now: datetime) -> None:
    with app.app_context():
        run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, backoff=0), now=now)


def alerts(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "notice").order_by(OutboxMessage.id)
        )
        return [(m.recipient, m.subject) for m in rows]


def supporters(app: Flask, directory: dict[str, int]) -> int:
    """Three supporters wrote: one asked for news, one did not, one asked but never confirmed."""
    with app.app_context():
        row = campaign()
        for n, wants in ((1, True), (2, False)):
            (letter,) = sent_letters(row, [directory["yesilgoz"]], supporter_no=n)
            db.session.get(Submission, letter.submission_id).newsletter = wants
        (letter,) = sent_letters(row, [directory["yesilgoz"]], supporter_no=3)
        unconfirmed = db.session.get(Submission, letter.submission_id)
        unconfirmed.newsletter, unconfirmed.confirmed_at = True, None
        db.session.commit()
        return row.id


def follow(app: Flask, organiser: FlaskClient, campaign_id: int) -> None:
    organiser.post(f"/admin/campaigns/{campaign_id}/agenda/watches", data={"kind": "keyword", "value": "Kaukasus"})
    with app.app_context():
        ids = list(db.session.scalars(select(WatchMatch.id)))
    for match_id in ids:
        organiser.post(f"/admin/campaigns/{campaign_id}/agenda/matches/{match_id}", data={"decision": "confirmed"})


def told_of_the_debate(app: Flask, organiser: FlaskClient, directory: dict[str, int], feed: Feed) -> Business:
    """The debate of 10 December is on the agenda, the campaign follows it, and the first sync after tells."""
    campaign_id = supporters(app, directory)
    b = Business(feed)
    b.activity("straks", SUBJECT, "2026-12-10", "14:00")
    sync(app, feed, datetime(2026, 12, 1, 8, 0))
    follow(app, organiser, campaign_id)
    sync(app, feed, datetime(2026, 12, 1, 9, 0))
    return b


def test_one_alert_when_scheduled_then_only_for_a_move_or_a_cancellation(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    feed = Feed()
    with serve(feed):
        b = told_of_the_debate(app, organiser, directory, feed)
        sync(app, feed, datetime(2026, 12, 1, 20, 0))  # nothing changed: nothing again
        assert alerts(app) == [("supporter1@example.org", f"Binnenkort in de Tweede Kamer: {SUBJECT}")]
        b.activity("straks", SUBJECT, "2026-12-17", "10:00", status="Verplaatst", updated="2026-12-02T10:00:00Z")
        sync(app, feed, datetime(2026, 12, 2, 4, 0))  # within 20 hours of the last alert: it waits
        assert len(alerts(app)) == 1
        sync(app, feed, datetime(2026, 12, 2, 6, 0))
        b.activity("straks", SUBJECT, "2026-12-17", "10:00", status="Geannuleerd", updated="2026-12-04T10:00:00Z")
        sync(app, feed, datetime(2026, 12, 4, 12, 0))
        sync(app, feed, datetime(2026, 12, 6, 12, 0))  # told of the cancellation: nothing more
    assert [subject for _to, subject in alerts(app)] == [
        f"Binnenkort in de Tweede Kamer: {SUBJECT}",
        f"Verplaatst: {SUBJECT}",
        f"Geannuleerd: {SUBJECT}",
    ]
    with app.app_context():
        moved = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-2]
        assert "donderdag 17 december 2026, 10:00" in moved.body
        assert "/campaigns/news/stop/" in moved.body


def test_the_stop_link_asks_then_stops_every_later_alert(
    app: Flask, client: FlaskClient, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    feed = Feed()
    with serve(feed):
        b = told_of_the_debate(app, organiser, directory, feed)
        with app.app_context():
            body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "notice"))
        path = re.search(r"http://[^/]+(/campaigns/news/stop/\S+)", body)[1]
        client.set_cookie("lang", "en")
        asked = client.get(path).get_data(as_text=True)
        assert "Stop these e-mails" in asked
        with app.app_context():
            assert db.session.scalar(select(Submission.newsletter).where(Submission.name == "Supporter 1"))
        done = client.post(path).get_data(as_text=True)
        assert "you will get no more e-mails about the campaign" in done
        b.activity("straks", SUBJECT, "2026-12-17", "10:00", status="Verplaatst", updated="2026-12-02T10:00:00Z")
        sync(app, feed, datetime(2026, 12, 3, 11, 0))
    assert len(alerts(app)) == 1
    assert client.get("/campaigns/news/stop/not-a-token").status_code == 404
