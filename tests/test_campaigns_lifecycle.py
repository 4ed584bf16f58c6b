"""The life of a letter: the moves its table allows and no other, the one definition of a letter sent that every
count uses, and the link from a letter to its e-mail in the outbox kept by the database itself."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from outreach.campaigns import lifecycle, stats
from outreach.campaigns.models import AWAITING, BOUNCED, HELD, MAIL_PROGRAM, OPENED, QUEUED, REJECTED, Campaign, Letter
from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import OutboxMessage
from tests.builders import campaign, sent_letters
from tests.conftest import logged_in

ENGLISH = {"Accept-Language": "en"}


def test_final_letters_never_move_and_a_letter_cannot_skip_its_confirmation() -> None:
    for final in (REJECTED, OPENED, BOUNCED):
        for target in lifecycle.STATES:
            with pytest.raises(lifecycle.IllegalLetterMove):
                lifecycle.move(Letter(status=final), target)
    with pytest.raises(lifecycle.IllegalLetterMove):
        lifecycle.move(Letter(status=AWAITING), BOUNCED)  # never sent, so it cannot bounce
    with pytest.raises(lifecycle.IllegalLetterMove):
        lifecycle.move(Letter(status=QUEUED), HELD)  # the outbox holds it from here, not the letter
    with pytest.raises(lifecycle.IllegalLetterMove):
        lifecycle.mark_queued(Letter(status=MAIL_PROGRAM), OutboxMessage(), utcnow())  # the supporter sends it


def test_a_bounce_takes_a_letter_out_of_the_count_once(app: Flask, directory: dict[str, int]) -> None:
    with app.app_context():
        row = campaign()
        first, _other = sent_letters(row, [directory["yesilgoz"], directory["de_vries"]])
        assert stats.totals(row)["letters"] == 2
        assert lifecycle.mark_bounced(first)
        assert not lifecycle.mark_bounced(first)  # a second report about it changes nothing
        db.session.commit()
        assert stats.totals(row) == {"letters": 1, "recipients": 1, "goal": 0}
        assert stats.letters_by_status(row) == {BOUNCED: 1, stats.SENT: 1}


def counter_after_a_second_letter(app: Flask, client: FlaskClient, directory: dict[str, int]) -> str:
    """The campaign page a visitor sees after one letter was sent, then a second: the page after the second."""
    with app.app_context():
        sent_letters(campaign(), [directory["yesilgoz"]])
    assert "<strong>1</strong> letter sent" in client.get("/campaigns/khojaly", headers=ENGLISH).get_data(as_text=True)
    with app.app_context():
        sent_letters(db.session.scalars(select(Campaign)).one(), [directory["de_vries"]], supporter_no=2)
    return client.get("/campaigns/khojaly", headers=ENGLISH).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PUBLIC_COUNTER_SECONDS": 3600}])
def test_the_public_counter_is_counted_once_per_window_and_afresh_for_organisers(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    # A crowd of visitors within the window costs one count: they all see the number counted first.
    page = counter_after_a_second_letter(app, client, directory)
    assert "<strong>1</strong> letter sent" in page and "<strong>1</strong> member reached" in page
    logged_in(app, client, "org@example.org", "organiser")
    page = client.get("/campaigns/khojaly", headers=ENGLISH).get_data(as_text=True)
    assert "<strong>2</strong> letters sent" in page and "<strong>2</strong> members reached" in page


@pytest.mark.parametrize("app_config", [{"PUBLIC_COUNTER_SECONDS": 0}])
def test_with_no_window_the_public_counter_is_counted_on_every_view(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    assert "<strong>2</strong> letters sent" in counter_after_a_second_letter(app, client, directory)


def test_withdrawing_rejects_held_letters_only(app: Flask, directory: dict[str, int]) -> None:
    with app.app_context():
        held, sent = sent_letters(campaign(), [directory["yesilgoz"], directory["de_vries"]])
        held.status, held.outbox_message = HELD, None
        db.session.commit()
        assert lifecycle.withdraw(Letter.supporter_id == held.supporter_id, "erased") == 1
        db.session.expire_all()
        assert (held.status, held.hold_reason, sent.status) == (REJECTED, "erased", QUEUED)


def test_the_query_and_the_loaded_letter_agree_on_what_was_sent(app: Flask, directory: dict[str, int]) -> None:
    with app.app_context():
        row = campaign()
        letters = [sent_letters(row, [directory["yesilgoz"]], supporter_no=k)[0] for k in range(len(states.STATES) + 3)]
        deliveries = [*states.STATES, None, None, None]
        statuses = [QUEUED] * len(states.STATES) + [OPENED, MAIL_PROGRAM, HELD]
        for letter, delivery, status in zip(letters, deliveries, statuses, strict=False):
            if delivery is None:
                letter.outbox_message = None
            else:
                letter.outbox_message.status = delivery
            letter.status = status
        letters[states.STATES.index(states.SENT) + 1].status = BOUNCED  # its e-mail was sent, then bounced
        letters[states.STATES.index(states.SENT) + 1].outbox_message.status = states.SENT
        db.session.commit()
        by_query = set(db.session.scalars(select(Letter.id).where(lifecycle.sent())))
        assert set(db.session.scalars(select(Letter.id).where(lifecycle.sent(row.id)))) == by_query
        assert not db.session.scalars(select(Letter.id).where(lifecycle.sent(row.id + 1))).all()
        loaded = {
            letter.id
            for letter in letters
            if lifecycle.is_sent(letter.status, letter.outbox_message and letter.outbox_message.status)
        }
        assert by_query == loaded
        assert len(by_query) == 2  # the one the outbox sent and the one opened in a mail program


def test_an_outbox_message_removed_by_hand_leaves_its_letter_unsent(app: Flask, directory: dict[str, int]) -> None:
    with app.app_context():
        row = campaign()
        [letter] = sent_letters(row, [directory["yesilgoz"]])
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == letter.outbox_message_id))
        db.session.commit()
        db.session.expire_all()
        assert letter.outbox_message_id is None  # ON DELETE SET NULL: the letter itself is kept
        assert stats.totals(row)["letters"] == 0


def test_no_other_module_sets_a_letter_s_status() -> None:
    import re
    from pathlib import Path

    package = Path(lifecycle.__file__).resolve().parent.parent
    writes = re.compile(r"letter\.status\s*(,[^=\n]*)?=(?!=)|update\(Letter\)", re.IGNORECASE)
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "lifecycle.py" and writes.search(path.read_text())
    ]
    assert offenders == []
