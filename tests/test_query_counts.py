"""The cost of a page does not grow with the data: the number of SQL statements for the directory, a campaign
page, the reports and the replies inbox stays the same with ten times as many members, letters and replies."""

from collections.abc import Callable
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from outreach.campaigns.models import Campaign
from outreach.database import utcnow
from outreach.extensions import db
from outreach.replies.models import Reply
from tests.builders import campaign, committee, member, party, seat, sent_letters


@contextmanager
def counting(app: Flask) -> Callable[[], int]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow(app: Flask, ids: dict[str, int], campaign_id: int, start: int, supporters: int, members: int) -> None:
    """More members (with party and seats), more letters and more replies."""
    with app.app_context():
        group = party(f"P{start}", f"Partij {start}")
        board = committee(f"C{start}", f"commissie {start}")
        for n in range(members):
            someone = member(
                f"Lid{start}x{n}", f"Achternaam{start}x{n}", group, email=f"lid{start}x{n}@tweedekamer.example"
            )
            seat(someone, board)
        db.session.commit()
        row = db.session.get(Campaign, campaign_id)
        for k in range(supporters):
            for letter in sent_letters(row, [ids["yesilgoz"], ids["de_vries"]], supporter_no=start + k):
                db.session.add(
                    Reply(
                        dedupe_key=f"q:{letter.id}",
                        source="imap",
                        kind="answer",
                        handled=False,
                        letter_id=letter.id,
                        campaign_id=campaign_id,
                        member_id=letter.member_id,
                        subject="Re",
                        text="Antwoord",
                        received_at=utcnow(),
                        created_at=utcnow(),
                    )
                )
        db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/members",
        "/committees",
        "/campaigns/khojaly",
        "/campaigns/khojaly/choose",
        "/admin/reports/{id}",
        "/admin/replies/?show=all",
        "/admin/campaigns/{id}",
    ],
)
def test_statements_per_page_stay_the_same_as_the_data_grows(
    app: Flask, organiser: FlaskClient, directory: dict[str, int], path: str
) -> None:
    with app.app_context():
        campaign_id = campaign().id
    url = path.format(id=campaign_id)
    grow(app, directory, campaign_id, 100, supporters=2, members=3)
    organiser.get(url)  # warm: the first request of a process looks a few things up once
    with counting(app) as small:
        assert organiser.get(url).status_code == 200
    before = small()
    grow(app, directory, campaign_id, 200, supporters=20, members=30)
    with counting(app) as large:
        assert organiser.get(url).status_code == 200
    assert before > 3 and large() == before, (
        f"{url}: {before} statements with little data, {large()} with ten times as much"
    )
