"""Office hours for letters to members, across weekends and Dutch public holidays, the night's letters spread over
the day, and members taking turns when a spike fills the queue — against a real SMTP server on loopback."""

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from itertools import pairwise

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.campaigns.models import Campaign
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox import hours
from outreach.outbox.models import OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import campaign, letter, notice
from tests.smtpserver import SinkServer
from tests.test_campaigns_admin import form
from tests.test_outbox_delivery import Clock, delivery_config

WITH_ADDRESS = ("yesilgoz", "van_der_lee", "de_vries", "percent")


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return delivery_config(server.port, OUTBOX_SENDING_HOURS="08:00-18:00", FORM_MIN_SECONDS=0)


def drain(now: datetime) -> None:
    Worker(clock=Clock(now)).run(once=True)
    db.session.expire_all()


def member(key: str, directory: dict[str, int]) -> Member:
    return db.session.get(Member, directory[key])


def test_a_letter_written_on_friday_evening_waits_for_monday_morning(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        written = letter(member("yesilgoz", directory))
        confirmation = notice("supporter@example.org")
        drain(datetime(2027, 4, 23, 17, 30))  # Friday 19:30 in Amsterdam
        assert (written.status, confirmation.status) == ("queued", "sent")  # the supporter is never kept waiting
        assert written.next_attempt_at == datetime(2027, 4, 26, 6, 0)  # Monday 08:00
        drain(datetime(2027, 4, 24, 10, 0))  # Saturday noon
        drain(datetime(2027, 4, 25, 10, 0))  # Sunday noon
        assert written.status == "queued"
        drain(datetime(2027, 4, 26, 6, 0))
        assert written.status == "sent" and len(server.sink.delivered) == 2


def test_on_koningsdag_letters_wait_for_the_next_day_and_confirmations_do_not(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        written = letter(member("yesilgoz", directory))
        koningsdag = datetime(2027, 4, 27, 9, 0)  # Tuesday 27 April 2027, 11:00 in Amsterdam
        drain(koningsdag)
        assert written.status == "queued" and written.next_attempt_at == datetime(2027, 4, 28, 6, 0)
        confirmation = notice("supporter@example.org")
        drain(koningsdag + timedelta(hours=2))
        assert (written.status, confirmation.status) == ("queued", "sent")
        drain(datetime(2027, 4, 28, 6, 0))
        assert written.status == "sent"


def test_liberation_day_and_ascension_day_are_closed_and_good_friday_is_open(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        good_friday = letter(member("yesilgoz", directory), 1)
        drain(datetime(2027, 3, 26, 10, 0))  # Goede Vrijdag: the House's offices are open
        assert good_friday.status == "sent"
        written = letter(member("yesilgoz", directory), 2)
        drain(datetime(2027, 5, 4, 17, 0))  # Tuesday 19:00; 5 May is Bevrijdingsdag, 6 May Hemelvaartsdag
        assert written.next_attempt_at == datetime(2027, 5, 7, 6, 0)  # Friday 08:00
        drain(datetime(2027, 5, 5, 8, 0))
        drain(datetime(2027, 5, 6, 8, 0))
        assert written.status == "queued"
        drain(datetime(2027, 5, 7, 6, 0))
        assert written.status == "sent"


def test_the_nights_letters_are_spread_evenly_over_the_day_with_members_taking_turns(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    with app.app_context():
        letters = [letter(member(key, directory), n) for key in WITH_ADDRESS for n in range(10)]
        drain(datetime(2030, 1, 13, 22, 0))  # Sunday 23:00 in Amsterdam
        opening = datetime(2030, 1, 14, 7, 0)  # Monday 08:00
        assert {m.next_attempt_at for m in letters} == {opening}
        now = opening
        sent_per_hour: Counter[int] = Counter()
        while now < opening + timedelta(hours=10):
            before = len(server.sink.delivered)
            drain(now)
            sent_per_hour[(now - opening) // timedelta(hours=1)] += len(server.sink.delivered) - before
            now += timedelta(minutes=5)
        assert [m.status for m in letters] == ["sent"] * 40
        assert sent_per_hour == dict.fromkeys(range(10), 4)  # 40 letters over 10 hours: 4 an hour, not 40 at 08:00
        due = sorted(db.session.scalars(db.select(OutboxMessage.next_attempt_at)).all())
        assert {b - a for a, b in pairwise(due)} == {timedelta(minutes=15)}
        rounds = [server.sink.delivered[i : i + 4] for i in range(0, 40, 4)]
        assert all(len({d.rcpt_tos[0] for d in round_}) == 4 for round_ in rounds)


def test_a_spike_to_a_few_members_goes_round_by_round(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    app.config["OUTBOX_SENDING_HOURS"] = ""
    app.config["OUTBOX_BATCH"] = 3  # fewer than the members: turns carry over from one claim to the next
    with app.app_context():
        # A newsletter: everyone writes to the first member first, then the second, …
        for key in WITH_ADDRESS:
            for n in range(12):
                letter(member(key, directory), n, campaign_id=1 + n % 2)
        drain(datetime(2030, 1, 14, 10, 0))
        recipients = [d.rcpt_tos[0] for d in server.sink.delivered]
        assert len(recipients) == 48
        assert all(len(set(recipients[i : i + 4])) == 4 for i in range(0, 48, 4))


def test_a_campaigns_own_hours_override_the_sites(app: Flask, directory: dict[str, int], server: SinkServer) -> None:
    with app.app_context():
        weekend = campaign(sending_hours="sat,sun 10:00-16:00")
        written = letter(member("yesilgoz", directory), campaign_id=weekend.id)
        site = letter(member("de_vries", directory), campaign_id=weekend.id + 1)
        drain(datetime(2030, 1, 12, 11, 0))  # Saturday noon
        assert (written.status, site.status) == ("sent", "queued")
        weekend.sending_hours = None  # the site's hours again
        db.session.commit()
        later = letter(member("van_der_lee", directory), 2, campaign_id=weekend.id)
        drain(datetime(2030, 1, 12, 12, 0))
        assert later.status == "queued" and later.next_attempt_at == datetime(2030, 1, 14, 7, 0)


def test_organisers_set_a_campaigns_office_hours_and_are_told_when_they_are_not_understood(
    app: Flask, organiser: FlaskClient
) -> None:
    wrong = organiser.post("/admin/campaigns/new", data=form(sending_hours="9 tot 5"))
    assert wrong.status_code == 400
    assert "Schrijf de tijden als 08:00-18:00" in wrong.get_data(as_text=True)
    assert 'value="9 tot 5"' in wrong.get_data(as_text=True)  # what they typed stays in the field
    assert organiser.post("/admin/campaigns/new", data=form(sending_hours="ma-do 09:00-17:00")).status_code == 302
    with app.app_context():
        saved = db.session.scalars(db.select(Campaign.sending_hours)).one()
        assert saved == "ma-do 09:00-17:00"
        assert hours.parse(saved) == hours.OfficeHours(frozenset({0, 1, 2, 3}), time(9), time(17))
