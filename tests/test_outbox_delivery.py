"""Delivery against a real SMTP server on loopback (aiosmtpd): every answer a server can give, and what follows."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from outreach.directory.delivery import is_undeliverable
from outreach.directory.models import Member, MemberOverride
from outreach.extensions import db
from outreach.outbox import queue
from outreach.outbox.models import NOTICE, DeliveryAttempt, OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import account, letter, notice
from tests.smtpserver import SilentServer, SinkServer, free_port

START = datetime(2030, 1, 7, 10, 0)  # a Monday, 11:00 in Amsterdam (after every message the tests queue)


class Clock:
    """The worker's clock, moved by the test instead of by sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def server() -> Iterator[SinkServer]:
    with SinkServer() as running:
        yield running


def delivery_config(port: int, **extra: object) -> dict[str, object]:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RATE": 0,
        "OUTBOX_SMTP_TIMEOUT": 2,
        "OUTBOX_POLL_SECONDS": 0.01,
        **extra,
    }


@pytest.fixture
def app_config(server: SinkServer) -> dict[str, object]:
    return delivery_config(server.port)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def drain(clock: Clock) -> Worker:
    worker = Worker(clock=clock)
    worker.run(once=True)
    return worker


def statuses() -> dict[int, str]:
    return dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())


def member(key: str, directory: dict[str, int]) -> Member:
    return db.session.get(Member, directory[key])


def test_queued_mail_is_delivered_once_each_with_its_own_message_id_and_one_recipient(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    with app.app_context():
        letters = [letter(member("yesilgoz", directory), n) for n in range(1, 4)]
        confirmation = notice("supporter9@example.org")
        ids = {m.id: m.message_id for m in [*letters, confirmation]}
        drain(clock)
        assert set(statuses().values()) == {"sent"}
        assert sorted(server.sink.message_ids()) == sorted(ids.values())
        assert all(len(d.rcpt_tos) == 1 for d in server.sink.delivered)
        assert server.sink.message_ids()[0] == confirmation.message_id  # a waiting supporter goes first
        attempts = db.session.scalars(select(DeliveryAttempt)).all()
        assert [(a.outcome, a.code) for a in attempts] == [("sent", 250)] * 4
        first = server.sink.delivered[1]
        assert first.mail_from == "letters@outreach.localhost"


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    server.sink.data_refusals_left = 2
    with app.app_context():
        message = letter(member("yesilgoz", directory))
        drain(clock)
        db.session.expire_all()
        assert message.status == "retry_wait" and message.attempts == 1
        first_wait = message.next_attempt_at - clock.now
        assert timedelta(seconds=48) <= first_wait <= timedelta(seconds=72)  # 1 minute, with jitter
        drain(clock)  # not due yet: nothing happens
        assert len(server.sink.seen_at_data) == 1
        clock.advance(seconds=73)
        drain(clock)
        db.session.expire_all()
        assert message.status == "retry_wait" and message.attempts == 2
        assert message.next_attempt_at - clock.now >= timedelta(minutes=4)  # then about 5 minutes
        clock.advance(minutes=7)
        drain(clock)
        db.session.expire_all()
        assert message.status == "sent" and message.attempts == 3
        assert {d.message_id for d in server.sink.seen_at_data} == {message.message_id}
        assert len(server.sink.seen_at_data) == 3 and len(server.sink.delivered) == 1
        assert [a.outcome for a in message.delivery_attempts] == ["retry", "retry", "sent"]
        assert message.delivery_attempts[0].code == 451


def test_a_refused_recipient_fails_at_once_flags_the_address_and_tells_the_supporter(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    server.sink.refuse_rcpt["a.devries@tweedekamer.example"] = "550 5.1.1 No such user"
    with app.app_context():
        refused = letter(member("de_vries", directory), 1)
        fine = letter(member("yesilgoz", directory), 1)
        drain(clock)
        db.session.expire_all()
        assert (refused.status, refused.attempts, refused.last_code) == ("failed", 1, 550)
        assert fine.status == "sent"
        assert is_undeliverable("A.deVries@tweedekamer.example")
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).all()
        assert [n.recipient for n in notices] == ["supporter1@example.org"] and notices[0].status == "sent"
        assert "Ik vraag uw aandacht voor Khojaly." in notices[0].body  # a copy of the letter
        assert "Anna de Vries" in notices[0].subject
        # the next letter to the refused address is held, not sent into the same wall
        again = letter(member("de_vries", directory), 2)
        drain(clock)
        db.session.expire_all()
        assert (again.status, again.hold_reason) == ("held", "undeliverable")
        assert len([d for d in server.sink.seen_at_data if "devries" in d.rcpt_tos[0]]) == 0


def test_content_refused_at_data_fails_without_flagging_the_address(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    server.sink.refuse_data["d.yesilgoz@tweedekamer.example"] = "552 5.3.4 Message too big"
    with app.app_context():
        message = letter(member("yesilgoz", directory))
        drain(clock)
        db.session.expire_all()
        assert (message.status, message.last_code) == ("failed", 552)
        assert not is_undeliverable("d.yesilgoz@tweedekamer.example")


@pytest.mark.parametrize(
    ("script", "resumes"),
    [({"outage": "421 4.3.2 Service shutting down"}, True), ({"mail_reply": "553 5.7.1 Sender not allowed"}, False)],
)
def test_when_the_server_refuses_us_the_whole_queue_pauses_without_using_up_attempts(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock, script: dict, resumes: bool
) -> None:
    for name, value in script.items():
        setattr(server.sink, name, value)
    with app.app_context():
        first, second = letter(member("yesilgoz", directory), 1), letter(member("yesilgoz", directory), 2)
        drain(clock)
        db.session.expire_all()
        control = queue.control_row()
        assert control.paused and control.paused_by == "worker"
        assert (control.resume_at is not None) == resumes
        assert (first.status, first.attempts) == ("queued", 0)
        assert second.status == "queued" and len(first.delivery_attempts) == 1  # tried once, then paused
        assert first.delivery_attempts[0].outcome == "pause"
        setattr(server.sink, *next(iter({k: None for k in script}.items())))
        clock.advance(minutes=6)
        drain(clock)
        db.session.expire_all()
        expected = "sent" if resumes else "queued"
        assert (first.status, second.status) == (expected, expected)
        if not resumes:  # bad sender or credentials: an organiser resumes after fixing them
            queue.resume(queue.control_row())
            db.session.commit()
            drain(clock)
            db.session.expire_all()
            assert (first.status, second.status, first.attempts) == ("sent", "sent", 1)


def test_bad_credentials_pause_the_queue_until_an_organiser_resumes(
    app: Flask, directory: dict[str, int], clock: Clock
) -> None:
    with SinkServer(password="right") as secured:
        app.extensions["mail"].port = secured.port
        app.extensions["mail"].username, app.extensions["mail"].password = "outreach", "wrong"
        with app.app_context():
            message = letter(member("yesilgoz", directory))
            drain(clock)
            db.session.expire_all()
            control = queue.control_row()
            assert control.paused and control.resume_at is None and "535" in control.pause_reason
            assert (message.status, message.attempts) == ("queued", 0)
            app.extensions["mail"].password = "right"
            queue.resume(control)
            db.session.commit()
            drain(clock)
            db.session.expire_all()
            assert message.status == "sent" and secured.sink.message_ids() == [message.message_id]


def test_a_server_that_never_answers_costs_one_timeout_per_message_then_pauses_the_queue(
    app: Flask, directory: dict[str, int], clock: Clock
) -> None:
    app.config.update(OUTBOX_SMTP_TIMEOUT=0.5, OUTBOX_BREAKER_FAILURES=3)
    with SilentServer() as silent:
        app.extensions["mail"].port = silent.port
        with app.app_context():
            messages = [letter(member("yesilgoz", directory), n) for n in range(1, 5)]
            worker = Worker(clock=clock)
            for _ in range(3):
                worker.step()  # each returns after the timeout, never hangs
            db.session.expire_all()
            assert [m.status for m in messages] == ["retry_wait", "retry_wait", "retry_wait", "queued"]
            assert all(m.last_text == "the mail server did not answer in time" for m in messages[:3])
            assert queue.control_row().paused  # three connection failures in a row trip the breaker


def test_an_unreachable_server_is_retried(app: Flask, directory: dict[str, int], clock: Clock) -> None:
    app.extensions["mail"].port = free_port()  # nothing listens there
    with app.app_context():
        message = letter(member("yesilgoz", directory))
        drain(clock)
        db.session.expire_all()
        assert message.status == "retry_wait" and "connection" in message.last_text


def test_letters_to_members_who_left_or_opted_out_are_held_and_a_corrected_address_is_used(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    with app.app_context():
        leaving, opting_out, moving = (member(k, directory) for k in ("yesilgoz", "van_der_lee", "de_vries"))
        letters = [letter(m) for m in (leaving, opting_out, moving)]
        leaving.is_current = False
        opting_out.override = MemberOverride(do_not_write=True)
        moving.override = MemberOverride(email="anna.devries@tweedekamer.example")
        db.session.commit()
        drain(clock)
        db.session.expire_all()
        assert [(m.status, m.hold_reason) for m in letters] == [
            ("held", "left_house"),
            ("held", "do_not_write"),
            ("sent", None),
        ]
        assert server.sink.delivered[0].rcpt_tos == ["anna.devries@tweedekamer.example"]
        queue.release(letters[0])  # released while the member is still gone: held again, not sent
        db.session.commit()
        drain(clock)
        db.session.expire_all()
        assert letters[0].status == "held" and len(server.sink.delivered) == 1


def test_the_daily_cap_per_mp_lets_the_rest_wait_for_the_next_day(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    with app.app_context():
        mp = member("yesilgoz", directory)
        letters = [letter(mp, n, daily_cap=2) for n in range(1, 5)]
        other_campaign = letter(mp, 9, campaign_id=2, daily_cap=2)
        drain(clock)
        db.session.expire_all()
        assert [m.status for m in letters] == ["sent", "sent", "queued", "queued"]
        assert other_campaign.status == "sent"  # the cap counts per campaign
        assert letters[2].next_attempt_at == datetime(2030, 1, 7, 23, 0)  # midnight in Amsterdam
        clock.now = datetime(2030, 1, 7, 23, 0)
        drain(clock)
        db.session.expire_all()
        assert [m.status for m in letters] == ["sent"] * 4


def test_sending_hours_keep_letters_for_office_hours_but_not_confirmations(
    app: Flask, directory: dict[str, int], server: SinkServer
) -> None:
    app.config["OUTBOX_SENDING_HOURS"] = "mon-fri 08:00-18:00"
    saturday = Clock(datetime(2030, 1, 12, 12, 0))
    with app.app_context():
        mp_letter = letter(member("yesilgoz", directory))
        confirmation = notice("supporter@example.org")
        drain(saturday)
        db.session.expire_all()
        assert (mp_letter.status, confirmation.status) == ("queued", "sent")
        drain(Clock(datetime(2030, 1, 14, 7, 30)))  # Monday 08:30 in Amsterdam
        db.session.expire_all()
        assert mp_letter.status == "sent"


def test_the_kill_switch_holds_a_campaigns_waiting_letters_and_release_sends_them(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    with app.app_context():
        stopped = [letter(member("yesilgoz", directory), n, campaign_id=7) for n in range(3)]
        other = letter(member("yesilgoz", directory), 5, campaign_id=8)
        assert queue.hold_campaign(7) == 3
        db.session.commit()
        drain(clock)
        db.session.expire_all()
        assert [m.status for m in stopped] == ["held"] * 3 and other.status == "sent"
        assert queue.release_campaign(7) == 3
        db.session.commit()
        drain(clock)
        db.session.expire_all()
        assert [m.status for m in stopped] == ["sent"] * 3


def test_cancelling_a_supporter_stops_only_their_letters_that_have_not_gone_out(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    with app.app_context():
        sent = letter(member("yesilgoz", directory), 1)
        drain(clock)
        waiting = [letter(member("de_vries", directory), 1), letter(member("van_der_lee", directory), 1)]
        someone_else = letter(member("de_vries", directory), 2)
        assert queue.cancel_supporter(" Supporter1@Example.org ") == 2
        db.session.commit()
        drain(clock)
        db.session.expire_all()
        assert sent.status == "sent" and [m.status for m in waiting] == ["cancelled"] * 2
        assert someone_else.status == "sent"


def test_a_message_is_given_up_after_days_of_temporary_failures(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    server.sink.outage = "451 4.3.0 Try again later"
    app.config["OUTBOX_BREAKER_FAILURES"] = 1000
    with app.app_context():
        message = letter(member("yesilgoz", directory))
        for _ in range(80):
            drain(clock)
            clock.advance(hours=2, minutes=30)
        db.session.expire_all()
        assert message.status == "failed" and "gave up" in message.last_text
        days = (message.delivery_attempts[-1].started_at - message.first_attempt_at).days
        assert 4 <= days <= 5 and 40 < message.attempts < 80  # RFC 5321: retry for 4-5 days, not minutes


def test_a_long_outage_alerts_the_organisers_once(
    app: Flask, directory: dict[str, int], server: SinkServer, clock: Clock
) -> None:
    server.sink.outage = "451 4.3.0 Try again later"
    app.config["OUTBOX_BREAKER_FAILURES"] = 1000
    with app.app_context():
        account("org@example.org")
        letter(member("yesilgoz", directory))
        for _ in range(25):  # 20 minutes of 451
            drain(clock)
            clock.advance(minutes=1)
        alerts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "org@example.org")).all()
        assert len(alerts) == 1 and "aandacht" in alerts[0].subject
        assert "slow" in queue.problems(clock.now)
        server.sink.outage = None
        clock.advance(hours=3)
        drain(clock)
        assert queue.problems(clock.now) == []
        count = db.session.scalar(select(func.count()).where(OutboxMessage.recipient == "org@example.org"))
        assert count == 1
