"""The outbox's state machine, driven through the real queue operations in random order (hypothesis stateful):
no sequence of events reaches a state the rules forbid, and a sent message never changes again."""

from datetime import datetime, timedelta

import pytest
from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox import queue, states
from outreach.outbox.claiming import claim
from outreach.outbox.compose import Campaign, Recipient, Supporter, enqueue_letter
from outreach.outbox.models import OutboxMessage
from outreach.outbox.outcomes import Attempt, record
from outreach.outbox.smtp import FAILED, PAUSE, RETRY, SENT, Outcome
from tests.conftest import empty_tables

OUTCOMES = {
    SENT: Outcome(SENT, 250, "ok"),
    RETRY: Outcome(RETRY, 451, "later"),
    FAILED: Outcome(FAILED, 550, "no such user", recipient_refused=True),
    PAUSE: Outcome(PAUSE, 421, "closing"),
}


def test_the_illegal_transitions_are_refused() -> None:
    message = OutboxMessage(status=states.SENT)
    for target in states.STATES:
        with pytest.raises(states.IllegalTransition):
            states.move(message, target)
    message.status = states.HELD
    with pytest.raises(states.IllegalTransition):
        states.move(message, states.SENDING)  # a held message must be released first


class Outbox(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        empty_tables()
        self.now = utcnow() + timedelta(days=1)
        self.ever_sent: dict[int, datetime] = {}
        self.in_flight: dict[int, tuple[str, int]] = {}  # message → (worker, attempt)

    def commit(self) -> None:
        db.session.commit()
        db.session.expire_all()

    @rule(supporter=st.integers(0, 2), campaign=st.integers(1, 2))
    def queue_a_letter(self, supporter: int, campaign: int) -> None:
        enqueue_letter(
            Recipient("Lid", f"lid{supporter}@tweedekamer.example"),
            Supporter("Steun", f"steun{supporter}@example.org"),
            Campaign(campaign, "C", "http://x.example"),
            "S",
            "B",
        )
        self.commit()

    @rule(worker=st.sampled_from(["w1", "w2"]))
    def a_worker_claims(self, worker: str) -> None:
        for message in claim(worker, self.now, limit=2):
            self.in_flight[message.id] = (worker, message.attempts)
        self.commit()

    @rule(data=st.data(), outcome=st.sampled_from(sorted(OUTCOMES)))
    def the_server_answers(self, data: st.DataObject, outcome: str) -> None:
        if not self.in_flight:
            return
        message_id = data.draw(st.sampled_from(sorted(self.in_flight)))
        worker, attempt_no = self.in_flight.pop(message_id)
        record(Attempt(message_id, attempt_no, self.now, self.now, OUTCOMES[outcome]), worker, self.now)
        queue.resume(queue.control_row())  # keep the queue flowing so the other rules stay reachable
        self.commit()

    @rule(minutes=st.sampled_from([1, 10, 200, 24 * 60]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)  # leases run out, retries fall due

    @rule(campaign=st.integers(1, 2), hold=st.booleans())
    def the_kill_switch(self, campaign: int, hold: bool) -> None:
        (queue.hold_campaign if hold else queue.release_campaign)(campaign)
        self.commit()

    @rule(supporter=st.integers(0, 2))
    def a_supporter_is_cancelled(self, supporter: int) -> None:
        queue.cancel_supporter(f"steun{supporter}@example.org")
        self.commit()

    @rule(data=st.data())
    def an_organiser_retries_or_releases(self, data: st.DataObject) -> None:
        rows = db.session.scalars(select_stuck()).all()
        if rows:
            row = data.draw(st.sampled_from(rows))
            (queue.retry if row.status == states.FAILED else queue.release)(row)
            self.commit()

    @invariant()
    def sent_is_final_and_states_are_known(self) -> None:
        for message in db.session.scalars(db.select(OutboxMessage)):
            assert message.status in states.STATES
            if message.id in self.ever_sent:
                assert message.status == states.SENT and message.sent_at == self.ever_sent[message.id]
            if message.status == states.SENT:
                self.ever_sent[message.id] = message.sent_at
                assert any(a.outcome == SENT for a in message.delivery_attempts)
            if message.status == states.SENDING:
                assert message.lease_until is not None and message.worker_id
            assert message.attempts >= 0


def select_stuck():
    return db.select(OutboxMessage).where(OutboxMessage.status.in_([states.FAILED, states.HELD]))


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_no_sequence_of_events_breaks_the_state_machine(app: Flask) -> None:
    with app.app_context():
        run_state_machine_as_test(Outbox, settings=settings(max_examples=40, stateful_step_count=25, deadline=None))
