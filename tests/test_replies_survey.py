"""The follow-up survey: asked 14 days after the letters went out, reminded once at day 21, one answer per letter
that counts once; a second click, a tampered or an expired link changes nothing."""

import re
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.campaigns.models import Letter
from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox.models import SURVEY, OutboxMessage
from outreach.replies import survey
from outreach.replies.models import Reply, SurveyAnswer
from tests.builders import campaign, sent_letters


@pytest.fixture
def letters(app: Flask, directory: dict[str, int]) -> list[int]:
    """Supporter 1's letters to two members, sent 14 days and an hour ago."""
    with app.app_context():
        sent = utcnow() - timedelta(days=14, hours=1)
        written = sent_letters(campaign(), [directory["yesilgoz"], directory["van_der_lee"]], sent_at=sent)
        return [letter.id for letter in written]


def surveys() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == SURVEY).order_by(OutboxMessage.id))
    )


def link(message: OutboxMessage, name: str, answer: str) -> str:
    """The path of the link in the e-mail for one member and one answer."""
    section = message.body.split(name + ":", 1)[1]
    return re.search(rf"http://[^/]+(/survey/\S+\?answer={answer})", section).group(1)


def test_the_survey_goes_out_once_after_14_days_naming_each_member(app: Flask, letters: list[int]) -> None:
    with app.app_context():
        sent_at = utcnow() - timedelta(days=14, hours=1)
        assert survey.send_due(sent_at + timedelta(days=13, hours=23)) == (0, 0)
        assert survey.send_due(utcnow()) == (1, 0)
        db.session.commit()
        assert survey.send_due(utcnow()) == (0, 0)
        [message] = surveys()
        assert message.recipient == "supporter1@example.org"
        assert "Dilan Yeşilgöz:" in message.body and "Tom van der Lee:" in message.body
        assert message.body.count("/survey/") == 10  # five answers for each of the two members


def test_letters_still_waiting_put_the_survey_off(app: Flask, letters: list[int]) -> None:
    with app.app_context():
        message = db.session.get(OutboxMessage, db.session.get(Letter, letters[1]).outbox_message_id)
        message.status, message.sent_at = "retry_wait", None
        db.session.commit()
        assert survey.send_due(utcnow()) == (0, 0)


def test_a_click_on_replied_counts_once_and_a_second_click_changes_nothing(
    app: Flask, client: FlaskClient, letters: list[int]
) -> None:
    with app.app_context():
        survey.send_due(utcnow())
        db.session.commit()
        message = surveys()[0]
        replied, no_reply = link(message, "Dilan Yeşilgöz", "replied"), link(message, "Dilan Yeşilgöz", "no_reply")
    page = client.get(replied)
    assert page.status_code == 200
    assert re.search(r'value="replied"[^>]*checked|checked[^>]*value="replied"', page.get_data(as_text=True))
    assert page.headers["Referrer-Policy"] == "no-referrer"
    token_path = replied.split("?")[0]
    saved = client.post(token_path, data={"answer": "replied", "text": "Ik steun uw verzoek. — D. Yeşilgöz"})
    assert saved.status_code == 302
    again = client.post(no_reply.split("?")[0], data={"answer": "no_reply"})
    assert again.status_code == 200  # the page, saying what was answered first
    with app.app_context():
        answers = db.session.scalars(select(SurveyAnswer)).all()
        assert [(a.letter_id, a.answer, a.counts) for a in answers] == [(letters[0], "replied", True)]
        # The pasted answer reaches the organisers' replies, linked to the letter, to be read and tagged.
        pasted = db.session.scalars(select(Reply)).one()
        assert (pasted.letter_id, pasted.kind, pasted.source) == (letters[0], "answer", "survey")
    shown = client.get(replied).get_data(as_text=True)
    assert "Dank u: uw antwoord is opgeslagen." in shown and "Ja, er kwam een antwoord" in shown


def test_tampered_and_expired_links_change_nothing(app: Flask, client: FlaskClient, letters: list[int]) -> None:
    with app.test_request_context():
        good = survey.token(letters[0])
        expired = survey.token(letters[0], now=time.time() - 91 * 24 * 3600)
    assert client.post(f"/survey/{good[:-2]}xx", data={"answer": "replied"}).status_code == 400
    assert client.get(f"/survey/{good[:-2]}xx").status_code == 400
    assert client.post(f"/survey/{expired}", data={"answer": "replied"}).status_code == 410
    assert client.post(f"/survey/{good}", data={"answer": "maybe"}).status_code == 400  # not one of the answers
    with app.app_context():
        assert db.session.scalars(select(SurveyAnswer)).all() == []


def test_an_answer_after_four_weeks_is_kept_but_does_not_count(app: Flask, letters: list[int]) -> None:
    with app.app_context():
        letter = db.session.get(Letter, letters[0])
        sent_at = db.session.get(OutboxMessage, letter.outbox_message_id).sent_at
        assert survey.record(letter, "replied", None, sent_at + timedelta(days=28, minutes=1))
        assert not survey.record(letter, "no_reply", None, sent_at + timedelta(days=29))
        db.session.commit()
        answer = db.session.scalars(select(SurveyAnswer)).one()
        assert (answer.answer, answer.counts) == ("replied", False)


def test_one_reminder_at_day_21_about_the_members_not_answered_yet(
    app: Flask, client: FlaskClient, letters: list[int]
) -> None:
    with app.app_context():
        start = utcnow()
        survey.send_due(start)
        db.session.commit()
        client.post(link(surveys()[0], "Dilan Yeşilgöz", "replied").split("?")[0], data={"answer": "replied"})
        assert survey.send_due(start + timedelta(days=6, hours=23)) == (0, 0)
        assert survey.send_due(start + timedelta(days=7, minutes=1)) == (0, 1)
        db.session.commit()
        assert survey.send_due(start + timedelta(days=8)) == (0, 0)
        reminder = surveys()[1]
        assert "Tom van der Lee:" in reminder.body and "Yeşilgöz" not in reminder.body
        assert reminder.subject.startswith(("Herinnering", "Reminder"))


def test_a_letter_held_for_a_member_who_left_does_not_stop_the_survey(app: Flask, letters: list[int]) -> None:
    with app.app_context():
        message = db.session.get(OutboxMessage, db.session.get(Letter, letters[1]).outbox_message_id)
        message.status, message.sent_at = "held", None
        db.session.commit()
        assert survey.send_due(utcnow()) == (1, 0)
        assert "Tom van der Lee" not in surveys()[0].body  # only the letter that went out is asked about


def test_letters_answered_by_mail_are_not_asked_about(app: Flask, letters: list[int]) -> None:
    with app.app_context():
        letter = db.session.get(Letter, letters[0])
        db.session.add(
            Reply(
                dedupe_key="known",
                source="imap",
                kind="answer",
                letter_id=letter.id,
                campaign_id=letter.campaign_id,
                member_id=letter.member_id,
                received_at=utcnow(),
                created_at=utcnow(),
            )
        )
        db.session.commit()
        assert survey.send_due(utcnow()) == (1, 0)
        body = surveys()[0].body
        assert "Tom van der Lee:" in body and "Yeşilgöz:" not in body and "14 dagen geleden" in body
