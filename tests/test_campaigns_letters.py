"""The supporter's path: choosing recipients, writing, confirming; and everything that must not get through."""

import re
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from outreach.campaigns import tokens
from outreach.campaigns.confirmation import remind_and_expire
from outreach.campaigns.models import Letter, LetterDraft, Submission, Supporter
from outreach.extensions import db
from outreach.outbox.compose import build
from outreach.outbox.models import LETTER, OutboxMessage
from tests.builders import campaign
from tests.campaign_helpers import (
    DETAILS,
    confirmation_messages,
    confirmation_path,
    letter_form,
    letter_page,
    send_letter,
)
from tests.test_outbox_compose import INTENDED


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0}


@pytest.fixture
def keys(app: Flask, directory: dict[str, int]) -> list[str]:
    """A live campaign, and the three BuZa members a supporter can write to."""
    with app.app_context():
        campaign()
    return [f"member:{directory[name]}" for name in ("yesilgoz", "van_der_lee", "de_vries")]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def letters_in_outbox() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == LETTER).order_by(OutboxMessage.id))
    )


def test_a_letter_waits_for_confirmation_and_the_email_names_the_recipients(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    response = send_letter(client, keys)
    assert response.status_code == 302 and response.location.endswith("/campaigns/khojaly/check-your-mail")
    with app.app_context():
        letters = db.session.scalars(select(Letter)).all()
        assert [letter.status for letter in letters] == ["awaiting_confirmation"] * 3
        assert letters_in_outbox() == []  # nothing goes to an MP before the click
        [message] = confirmation_messages()
        assert message.recipient == DETAILS["email"]
        for name in ("Dilan Yeşilgöz", "Tom van der Lee", "Anna de Vries"):
            assert name in message.body
        assert "/confirm/" in message.body
    assert "Kijk in uw mailbox" in client.get(response.location).get_data(as_text=True)


def test_confirming_queues_one_letter_per_member_with_their_salutation_the_edits_and_the_consent(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    edited = (
        "{salutation}\n\nMijn grootouders kwamen uit Khojaly; ik vraag u om een herdenkingsdag.\n\n{supporter_name}"
    )
    send_letter(client, keys, body=edited)
    with app.app_context():
        path = confirmation_path(confirmation_messages()[0])
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(path).status_code == 302
    with app.app_context():
        bodies = [message.body for message in letters_in_outbox()]
        assert [body.split("\n")[0] for body in bodies] == [
            "Geachte mevrouw Yeşilgöz,",
            "Geachte heer Van der Lee,",
            "Geachte mevrouw De Vries,",
        ]
        assert all("Mijn grootouders kwamen uit Khojaly" in body and "\nAysel Mammadova\n" in body for body in bodies)
        submission = db.session.scalars(select(Submission)).one()
        assert submission.status == "confirmed" and submission.consented_at is not None
        assert submission.consent_version == "2026-11" and "politieke mening" in submission.consent_text
        assert {letter.status for letter in submission.letters} == {"queued"}
        assert {message.daily_cap for message in letters_in_outbox()} == {200}  # the campaign's per-member cap
    assert "bevestigd" in client.get(path).get_data(as_text=True)
    # A second click, on the page or the button, sends nothing more.
    assert client.post(path).status_code == 302
    with app.app_context():
        assert len(letters_in_outbox()) == 3


def test_an_english_letter_opens_with_an_english_salutation(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    send_letter(client, keys[:1], lang="en")
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
        [message] = letters_in_outbox()
        assert message.body.startswith("Dear Ms Yeşilgöz,\n\nI ask for your attention")
        assert message.subject == "Recognition of the Khojaly massacre"


@pytest.mark.parametrize(
    "text",
    ["{{7*7}} en {{ config }}", "{supporter_name.__class__.__mro__}", "{unknown} {0} %(name)s {salutation!r}"],
)
def test_template_syntax_in_a_letter_reaches_the_member_literally(
    app: Flask, client: FlaskClient, keys: list[str], text: str
) -> None:
    send_letter(client, keys[:1], body="{salutation}\n\n" + text, subject="Khojaly " + text[:20])
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
        [row] = letters_in_outbox()
        words = re.sub(r"https?://\S+", "", row.body)  # links carry random tokens, which may hold "49"
        assert text in words and "49" not in words and "class" not in words.replace(text, "")
        parsed = message_from_bytes(build(row).as_bytes(), policy=policy.default)
        assert set(parsed.keys()) == INTENDED and len(parsed.keys()) == len(INTENDED)
        assert text in parsed.get_content()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Aysel\r\nBcc: everyone@example.org", "Gebruik één regel"),
        ("name", "Aysel\u2028Mammadova", "Gebruik één regel"),
        ("subject", "Khojaly\nBcc: everyone@example.org", "Gebruik één regel"),
        ("subject", "Khojaly\x00", "Gebruik één regel"),
        ("email", "aysel@example.org\r\nBcc: x@example.org", "Vul één e-mailadres in"),
        ("email", "not-an-address", "Vul één e-mailadres in"),
        ("consent", None, "Zonder uw toestemming"),
        ("place", "1234 AB", "alleen de vier cijfers"),
        ("body", "Tekst\x07met een bel", "tekens die niet kunnen worden verstuurd"),
    ],
)
def test_bad_input_is_explained_nothing_is_created_and_nothing_typed_is_lost(
    app: Flask, client: FlaskClient, keys: list[str], field: str, value: str | None, message: str
) -> None:
    mine = "{salutation}\n\nMijn eigen zin over Khojaly die ik niet kwijt wil."
    fields = {"body": mine, field: value} if field != "body" else {field: value}
    response = send_letter(client, keys, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    if field != "body":
        assert "Mijn eigen zin over Khojaly die ik niet kwijt wil." in page
    with app.app_context():
        assert count(Submission) == 0 and count(OutboxMessage) == 0


def test_the_length_limit_holds_exactly(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    limit = app.config["LETTER_MAX_LENGTH"]
    too_long = send_letter(client, keys[:1], body="x" * (limit + 1))
    assert too_long.status_code == 400 and f"{limit + 1} tekens" in too_long.get_data(as_text=True)
    assert send_letter(client, keys[:1], body="x" * limit).status_code == 302
    with app.app_context():
        assert count(Submission) == 1


def test_the_most_recipients_per_letter_holds_exactly(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    with app.app_context():
        from outreach.campaigns.models import Campaign

        db.session.scalars(select(Campaign)).one().max_recipients = 2
        db.session.commit()
    too_many = client.get("/campaigns/khojaly/choose", query_string={"to": keys, "action": "continue"})
    assert too_many.status_code == 400 and "hoogstens 2 ontvangers" in too_many.get_data(as_text=True)
    assert send_letter(client, keys).status_code == 400  # the letter form checks again
    enough = client.get("/campaigns/khojaly/choose", query_string={"to": keys[:2], "action": "continue"})
    assert enough.status_code == 302
    assert send_letter(client, keys[:2]).status_code == 302
    with app.app_context():
        assert count(Letter) == 2


def test_no_recipient_chosen_is_explained(client: FlaskClient, keys: list[str]) -> None:
    response = client.get("/campaigns/khojaly/choose", query_string={"action": "continue"})
    assert response.status_code == 400 and "Kies minstens één ontvanger" in response.get_data(as_text=True)
    assert client.get("/campaigns/khojaly/letter").location.endswith("/campaigns/khojaly/choose")


def test_a_closed_campaign_takes_no_letters(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    html = letter_page(client, keys[:1]).get_data(as_text=True)
    with app.app_context():
        from outreach.campaigns.models import Campaign

        db.session.scalars(select(Campaign)).one().status = "closed"
        db.session.commit()
    from tests.campaign_helpers import form_token

    response = send_letter(client, keys[:1], token=form_token(html))
    assert response.status_code == 400 and "neemt op dit moment geen nieuwe brieven aan" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert count(Submission) == 0


def test_a_double_clicked_submit_creates_one_submission(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    html = letter_page(client, keys).get_data(as_text=True)
    from tests.campaign_helpers import form_token

    token = form_token(html)
    first = send_letter(client, keys, token=token)
    second = send_letter(client, keys, token=token)
    assert first.location == second.location
    with app.app_context():
        assert count(Submission) == 1 and count(Letter) == 3 and len(confirmation_messages()) == 1


def test_concurrent_identical_posts_create_one_letter_per_member(app: Flask, keys: list[str]) -> None:
    from tests.campaign_helpers import form_token

    token = form_token(letter_page(app.test_client(), keys).get_data(as_text=True))
    results: list[int] = []

    def post() -> None:
        results.append(send_letter(app.test_client(), keys, token=token).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * 8
    with app.app_context():
        assert count(Submission) == 1 and count(Letter) == 3 and len(confirmation_messages()) == 1


def test_writing_again_to_the_same_member_sends_no_second_letter_and_says_so_only_by_email(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    send_letter(client, keys[:2])
    again = send_letter(client, keys[1:])
    assert again.location.endswith("/check-your-mail")
    with app.app_context():
        assert count(Letter) == 3  # two, then only the new member
        latest = confirmation_messages()[-1]
        assert "Tom van der Lee" in latest.body.split("\n\n")[-2] and "Anna de Vries" in latest.body


def test_the_honeypot_and_the_time_trap_create_nothing_but_look_normal(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    # A wide trap, so that a slow machine between making the token and sending it cannot let "too fast" through.
    app.config["FORM_MIN_SECONDS"] = 600
    with app.test_request_context():
        too_fast = tokens.form(time.time() - 1)
        in_time = tokens.form(time.time() - 700)
    for response in (
        send_letter(client, keys, website="http://spam.example"),
        send_letter(client, keys, token=too_fast),
        send_letter(client, keys, token="forged"),
    ):
        assert response.status_code == 302 and response.location.endswith("/check-your-mail")
    with app.app_context():
        assert count(Submission) == 0 and count(OutboxMessage) == 0
    assert send_letter(client, keys, token=in_time).status_code == 302
    with app.app_context():
        assert count(Submission) == 1


def test_a_page_left_open_too_long_comes_back_with_everything_typed_and_sends_on_the_next_click(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    with app.test_request_context():
        too_old = tokens.form(time.time() - app.config["FORM_MAX_SECONDS"] - 1)
    mine = "Mijn eigen zin over Khojaly die ik niet kwijt wil."
    expired = send_letter(client, keys, token=too_old, body=mine, place="Zwolle")
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400 and "lang open" in page
    assert mine in page and 'value="Aysel Mammadova"' in page and 'value="aysel@example.org"' in page
    assert 'value="Zwolle"' in page
    with app.app_context():
        assert count(Submission) == 0
    again = client.post("/campaigns/khojaly/letter", data=letter_form(page, keys))
    assert again.status_code == 302 and again.location.endswith("/check-your-mail")
    with app.app_context():
        assert count(Submission) == 1


def test_links_that_are_tampered_expired_replayed_or_for_another_purpose_change_nothing(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    send_letter(client, keys[:1])
    with app.app_context():
        path = confirmation_path(confirmation_messages()[0])
        submission_id = db.session.scalars(select(Submission.id)).one()
    with app.test_request_context():
        other_purpose = tokens.own_mail(submission_id)
        expired = tokens.confirmation(submission_id, now=time.time() - 8 * 24 * 3600)  # the link lasts 7 days
    assert client.post(path[:-2] + "xx").status_code == 400
    assert client.post(f"/confirm/{other_purpose}").status_code == 400
    gone = client.post(f"/confirm/{expired}")
    assert gone.status_code == 410 and "niet meer geldig" in gone.get_data(as_text=True)
    with app.app_context():
        assert letters_in_outbox() == []
    client.post(path)
    client.post(path)
    with app.app_context():
        assert len(letters_in_outbox()) == 1


def test_one_reminder_after_a_day_and_unconfirmed_letters_are_wiped_after_the_link_expires(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    send_letter(client, keys)
    with app.app_context():
        start = db.session.scalars(select(Submission.created_at)).one()
        assert remind_and_expire(start + timedelta(hours=23)) == (0, 0)
        assert remind_and_expire(start + timedelta(hours=25)) == (1, 0)
        db.session.commit()
        assert remind_and_expire(start + timedelta(hours=30)) == (0, 0)
        reminder = confirmation_messages()[-1]
        assert reminder.subject.startswith("Herinnering") and "/confirm/" in reminder.body
        assert remind_and_expire(start + timedelta(days=7, minutes=1)) == (0, 1)
        db.session.commit()
        assert count(Submission) == 0 and count(Letter) == 0 and count(Supporter) == 0
        for message in confirmation_messages():
            assert DETAILS["email"] not in (message.recipient, message.supporter_email)
            assert "Yeşilgöz" not in message.subject + message.body
            assert message.status == "cancelled"


def test_per_address_and_per_ip_limits_hold_exactly(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "2/day"
    app.config["SUBMISSION_LIMIT_PER_IP"] = "3/hour"
    for key in keys[:2]:
        assert send_letter(client, [key]).status_code == 302
    refused = send_letter(client, keys[2:])
    assert refused.status_code == 429 and "zoveel brieven" in refused.get_data(as_text=True)
    with app.app_context():
        assert count(Submission) == 2
    # From one internet address: after three accepted forms in the hour the next is refused, whatever its address.
    assert send_letter(client, keys[2:], email="other@example.org").status_code == 302
    blocked = send_letter(client, keys[:1], email="third@example.org")
    assert blocked.status_code == 429
    with app.app_context():
        assert count(Submission) == 3


def test_letters_from_different_supporters_with_the_same_personal_text_are_held_for_review(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    shared = (
        "{salutation}\n\nAls dochter van overlevenden van Khojaly vraag ik u dringend om het onderzoek te steunen "
        "en de herdenking van 26 februari mogelijk te maken in Nederland.\n\n{supporter_name}"
    )
    own = (
        "{salutation}\n\nIk woon al twintig jaar in Rotterdam en heb nooit gehoord dat de Kamer hierover sprak; "
        "mijn buren wisten er niets van toen ik het vertelde.\n\n{supporter_name}"
    )
    send_letter(client, keys[:1], body=shared, email="first@example.org")
    send_letter(client, keys[:1], body=shared.replace("dringend ", ""), email="second@example.org")
    send_letter(client, keys[:1], body=own, email="third@example.org")
    with app.app_context():
        for message in confirmation_messages():
            client.post(confirmation_path(message))
        statuses = {
            s.supporter.email: (s.review_reason, [letter.status for letter in s.letters])
            for s in db.session.scalars(select(Submission))
        }
    assert statuses["first@example.org"] == (None, ["queued"])
    assert statuses["second@example.org"] == ("similar", ["held"])
    assert statuses["third@example.org"] == (None, ["queued"])


def test_personalisation_is_stored_per_letter(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    send_letter(client, keys[:1], email="same@example.org")
    send_letter(
        client,
        keys[1:2],
        body="{salutation}\n\nIk schrijf u geheel in mijn eigen woorden over wat Khojaly voor mijn familie betekent.",
        email="own@example.org",
    )
    with app.app_context():
        shares = {
            letter.submission.supporter.email: letter.personalised for letter in db.session.scalars(select(Letter))
        }
    assert shares["same@example.org"] == 0.0
    assert shares["own@example.org"] > 0.8


def test_sending_from_your_own_mail_program_records_the_opening(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    with app.app_context():
        from outreach.campaigns.models import Campaign

        db.session.scalars(select(Campaign)).one().tracking_address = "tracking@campaign.example"
        db.session.commit()
    response = send_letter(client, keys[:2], action="own_mail")
    assert "/campaigns/own-mail/" in response.location
    page = client.get(response.location)
    assert page.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert confirmation_messages() == [] and letters_in_outbox() == []
        letter = db.session.scalars(select(Letter).order_by(Letter.id)).first()
    opened = client.get(f"{response.location}/{letter.id}/mailto")
    assert opened.status_code == 302
    assert opened.location.startswith("mailto:d.yesilgoz@tweedekamer.example?")
    assert "bcc=tracking%40campaign.example" in opened.location and "Geachte%20mevrouw%20Ye" in opened.location
    gmail = client.get(f"{response.location}/{letter.id}/gmail").location
    assert gmail.startswith("https://mail.google.com/mail/?view=cm") and "to=d.yesilgoz%40tweedekamer.example" in gmail
    assert client.get(f"{response.location}/{letter.id}/fax").status_code == 404
    with app.app_context():
        assert db.session.get(Letter, letter.id).status == "opened"
    assert "1</strong> brief verstuurd" in client.get("/campaigns/khojaly").get_data(as_text=True)


def test_the_source_of_a_submission_is_stored(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    send_letter(client, keys[:1], ref="Partner-NL")
    send_letter(client, keys[1:2], ref="<script>", email="x@example.org")
    with app.app_context():
        assert sorted(map(str, db.session.scalars(select(Submission.ref)))) == ["None", "partner-nl"]


def test_a_draft_campaign_is_not_public(app: Flask, client: FlaskClient, directory: dict) -> None:
    with app.app_context():
        campaign("concept", status="draft")
    assert client.get("/campaigns/concept").status_code == 404
    assert client.get("/campaigns/nothing-here").status_code == 404


def test_the_delivery_worker_sends_the_reminders(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    from outreach.outbox.worker import Worker

    send_letter(client, keys[:1])
    with app.app_context():
        start = db.session.scalars(select(Submission.created_at)).one()
        Worker(clock=lambda: start + timedelta(hours=25))._run_periodic_jobs()
        assert [m.subject.split(":")[0] for m in confirmation_messages()] == [
            "Bevestig uw brief aan Dilan Yeşilgöz",
            "Herinnering",
        ]


MINE = "Mijn oma overleefde Khojaly; ik vraag u om erkenning."
TYPED = {"subject": "Erken Khojaly", "body": MINE, "name": "Aysel Mammadova", "email": "aysel@example.org"}


def typed_page(client: FlaskClient, keys: list[str], action: str, **fields: str) -> TestResponse:
    """Open the letter page, type a subject, a letter, a name, an address and a place, and press `action`."""
    html = letter_page(client, keys).get_data(as_text=True)
    data = letter_form(html, keys, action, **{**TYPED, "place": "Zwolle", **fields})
    return client.post("/campaigns/khojaly/letter", data=data)


def assert_everything_typed_is_there(html: str) -> None:
    assert MINE in html and 'value="Erken Khojaly"' in html and 'value="Aysel Mammadova"' in html
    assert 'value="aysel@example.org"' in html and 'value="Zwolle"' in html


def test_changing_recipients_keeps_the_letter_and_everything_typed(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    away = typed_page(client, keys[:1], "recipients")
    assert away.status_code == 303 and "/campaigns/khojaly/choose" in away.location and "action=back" in away.location
    chooser = client.get(away.location)
    assert chooser.status_code == 200 and 'value="' + keys[0] + '"' in chooser.get_data(as_text=True)
    onward = client.get("/campaigns/khojaly/choose", query_string={"to": keys[:2], "action": "continue"})
    back = client.get(onward.location).get_data(as_text=True)
    assert_everything_typed_is_there(back)
    assert "Dilan Yeşilgöz" in back and "Tom van der Lee" in back
    # Sent, the draft is gone: the next letter starts from the campaign's text.
    sent = client.post("/campaigns/khojaly/letter", data=letter_form(back, keys[:2], "send"))
    assert sent.status_code == 302
    with app.app_context():
        from outreach.campaigns.models import LetterDraft

        assert count(LetterDraft) == 0
        assert MINE in db.session.scalars(select(Letter.body)).first()
    assert MINE not in letter_page(client, keys[:1]).get_data(as_text=True)


def test_the_header_language_switch_on_the_letter_page_keeps_everything_typed(
    client: FlaskClient, keys: list[str]
) -> None:
    page = letter_page(client, keys[:1]).get_data(as_text=True)
    assert 'form="letter" name="action" value="page_language:en"' in page  # the header's switch posts the draft
    away = typed_page(client, keys[:1], "page_language:en")
    assert away.status_code == 303 and away.location.startswith("/language/en?next=")
    there = client.get(away.location)
    english = client.get(there.location).get_data(as_text=True)
    assert "Your letter" in english and "Verstuur mijn brief" not in english
    assert_everything_typed_is_there(english)
    assert 'name="lang" value="nl"' in english  # the letter itself stays Dutch


def test_switching_the_letters_language_after_editing_asks_first(client: FlaskClient, keys: list[str]) -> None:
    asked = typed_page(client, keys[:1], "letter_language:en")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Opnieuw beginnen met de Engelse brief?" in html
    assert_everything_typed_is_there(html)
    kept = client.post("/campaigns/khojaly/letter", data=letter_form(html, keys[:1], "keep"))
    assert MINE in kept.get_data(as_text=True) and "Opnieuw beginnen" not in kept.get_data(as_text=True)
    switched = client.post("/campaigns/khojaly/letter", data=letter_form(html, keys[:1], "switch_language:en"))
    english = client.get(switched.location).get_data(as_text=True)
    assert "I ask for your attention" in english and MINE not in english
    assert 'value="Aysel Mammadova"' in english and 'value="aysel@example.org"' in english
    assert 'name="lang" value="en"' in english


def test_switching_the_letters_language_before_editing_does_not_ask(client: FlaskClient, keys: list[str]) -> None:
    html = letter_page(client, keys[:1]).get_data(as_text=True)
    switched = client.post("/campaigns/khojaly/letter", data=letter_form(html, keys[:1], "letter_language:en"))
    assert switched.status_code == 303
    assert "I ask for your attention" in client.get(switched.location).get_data(as_text=True)


def test_an_expired_security_token_brings_the_letter_back_not_an_error_page(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = typed_page(client, keys, "send", consent="y", csrf_token="expired-or-from-a-lost-session")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "lang open" in html
    assert_everything_typed_is_there(html)
    with app.app_context():
        assert count(Submission) == 0
    again = client.post("/campaigns/khojaly/letter", data={**letter_form(html, keys, "send"), "csrf_token": csrf(html)})
    assert again.status_code == 302 and again.location.endswith("/check-your-mail")


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_letter_box_holds_only_the_words_to_write_and_shows_salutation_and_signature_as_text(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    one = letter_page(client, keys[:1]).get_data(as_text=True)
    box = one.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "{salutation}" not in box and "{supporter_name}" not in box and "{supporter_city}" not in box
    assert box.rstrip().endswith("Met vriendelijke groet,")
    assert 'class="locked-text">Geachte mevrouw Yeşilgöz,<' in one
    assert re.search(r'aria-current="step">Uw brief<', one) and one.count('aria-current="step"') == 1
    assert 'class="locked-text">[uw naam]<' in one
    several = letter_page(client, keys).get_data(as_text=True)
    assert 'class="locked-text">Geachte heer/mevrouw [naam Kamerlid],<' in several
    # A preview with a name shows it below the letter, and what members receive is the whole letter.
    html = typed_page(client, keys[:1], "preview").get_data(as_text=True)
    assert 'class="locked-text">Aysel Mammadova\nZwolle<' in html
    send_letter(client, keys[:1], body=MINE)
    with app.app_context():
        client.post(confirmation_path(confirmation_messages()[0]))
        [message] = letters_in_outbox()
    assert message.body.startswith(f"Geachte mevrouw Yeşilgöz,\n\n{MINE}\n\nAysel Mammadova\nUtrecht")


def test_previews_start_closed_in_a_reading_font_and_open_after_show_how_it_reads(
    client: FlaskClient, keys: list[str]
) -> None:
    fresh = letter_page(client, keys).get_data(as_text=True)
    assert "<details open" not in fresh and 'class="letter-text"' in fresh and "mail-text" not in fresh
    previewed = typed_page(client, keys, "preview").get_data(as_text=True)
    assert previewed.count("<details open") == 1
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    reading = css.split(".letter-text {", 1)[1].split("}", 1)[0]
    assert "serif" in reading and "monospace" not in reading


def test_the_error_summary_lists_every_mistake_and_links_to_its_field(client: FlaskClient, keys: list[str]) -> None:
    response = typed_page(client, keys, "send", name="", email="not-an-address", place="1234 AB", consent=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'tabindex="-1"' in html.split('id="error-summary"', 1)[0][-120:] + summary[:80]
    for field, words in (
        ("name", "Uw naam komt onder de brief"),
        ("email", "Vul één e-mailadres in"),
        ("place", "alleen de vier cijfers"),
        ("consent", "Zonder uw toestemming"),
    ):
        assert f'<a href="#{field}">' in summary and words in summary, field
    assert 'id="name"' in html and 'id="consent"' in html


def test_name_address_and_place_fields_help_phones_and_screen_readers(client: FlaskClient, keys: list[str]) -> None:
    html = letter_page(client, keys[:1]).get_data(as_text=True)
    email = html.split('id="email"', 1)[0].rsplit("<input", 1)[1] + html.split('id="email"', 1)[1].split(">", 1)[0]
    assert 'type="email"' in email and 'autocomplete="email"' in email and 'inputmode="email"' in email
    assert 'aria-describedby="email-hint"' in email and 'id="email-hint"' in html
    assert 'autocomplete="name"' in html and 'autocomplete="address-level2"' in html
    assert 'aria-describedby="body-hint"' in html and 'aria-describedby="place-hint"' in html


def test_check_your_mail_shows_the_address_used_and_sends_it_once_more(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    sent = send_letter(client, keys[:1])
    page = client.get(sent.location).get_data(as_text=True)
    assert "aysel@example.org" in page and "Stuur de e-mail opnieuw" in page
    again = client.post("/campaigns/khojaly/check-your-mail/again")
    assert again.status_code == 302
    follow = client.get(again.location).get_data(as_text=True)
    assert "opnieuw gestuurd naar aysel@example.org" in follow and "Stuur de e-mail opnieuw" not in follow
    refused = client.get(client.post("/campaigns/khojaly/check-your-mail/again").location)
    assert "al een tweede keer" in refused.get_data(as_text=True)
    with app.app_context():
        paths = [confirmation_path(message) for message in confirmation_messages()]
        assert len(paths) == 2 and {m.recipient for m in confirmation_messages()} == {"aysel@example.org"}
        start = db.session.scalars(select(Submission.created_at)).one()
        assert remind_and_expire(start + timedelta(hours=25)) == (0, 0)  # the e-mail sent again was the reminder
    assert client.get(paths[1]).status_code == 200
    # Another visitor's browser sees no address.
    assert "aysel@example.org" not in app.test_client().get(sent.location).get_data(as_text=True)


def test_sending_again_is_rate_limited(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    app.config["CHECK_MAIL_LIMIT"] = "2/hour"
    send_letter(client, keys[:1])
    assert client.post("/campaigns/khojaly/check-your-mail/again").status_code == 302
    assert client.post("/campaigns/khojaly/check-your-mail/again").status_code == 302
    assert client.post("/campaigns/khojaly/check-your-mail/address", data={"email": "x@example.org"}).status_code == 429


def test_a_mistyped_address_is_corrected_and_the_old_one_never_mailed_again(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    send_letter(client, keys[:2], email="aysel@exmaple.org")
    with app.app_context():
        old_link = confirmation_path(confirmation_messages()[0])
    bad = client.post("/campaigns/khojaly/check-your-mail/address", data={"email": "not an address"})
    assert bad.status_code == 400 and "Vul één e-mailadres in" in bad.get_data(as_text=True)
    fixed = client.post("/campaigns/khojaly/check-your-mail/address", data={"email": "aysel@example.org"})
    page = client.get(fixed.location).get_data(as_text=True)
    assert "nieuwe e-mail gestuurd naar aysel@example.org" in page and "exmaple" not in page
    with app.app_context():
        first, second = confirmation_messages()
        assert first.status == "cancelled" and "exmaple" not in first.recipient + first.body
        assert second.recipient == "aysel@example.org"
        assert [s.email for s in db.session.scalars(select(Supporter))] == ["aysel@example.org"]
        assert {letter.status for letter in db.session.scalars(select(Letter))} == {"awaiting_confirmation"}
        new_link = confirmation_path(second)
    assert client.post(old_link).status_code == 410  # the mistyped address's link no longer sends anything
    assert client.post(new_link).status_code == 302
    with app.app_context():
        assert len(letters_in_outbox()) == 2
        assert all("<aysel@example.org>" in m.reply_to for m in letters_in_outbox())


def test_after_confirming_a_thank_you_page_with_the_counter_and_share_links_that_carry_their_source(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    send_letter(client, keys[:1])
    with app.app_context():
        path = confirmation_path(confirmation_messages()[0])
    client.post(path)
    page = client.get(path).get_data(as_text=True)
    assert "Vraag nog iemand om te schrijven" in page and 'class="counter"' in page
    assert re.search(r'aria-current="step">Klaar<', page)
    for channel, start in (
        ("whatsapp", "https://wa.me/?text="),
        ("telegram", "https://t.me/share/url?url="),
        ("email", "mailto:?subject="),
        ("x", "https://x.com/intent/post?text="),
        ("facebook", "https://www.facebook.com/sharer/sharer.php?u="),
        ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?url="),
    ):
        link = page.split(f'share-{channel}" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert link.startswith(start) and f"ref%3Dshare%3A{channel}" in link, channel
    assert "/campaigns/khojaly?ref=share:copy" in page
    assert "<script src" in page and "https://" not in page.split("<script src", 1)[1].split(">", 1)[0]
    # The next supporter comes through WhatsApp: the source follows them to their letter.
    landing = client.get("/campaigns/khojaly?ref=share:whatsapp").get_data(as_text=True)
    assert "ref=share:whatsapp" in landing
    chooser = client.get(
        "/campaigns/khojaly/choose", query_string={"to": keys[1:2], "action": "continue"} | {"ref": "share:whatsapp"}
    )
    assert chooser.location.endswith("ref=share:whatsapp")
    send_letter(client, keys[1:2], email="next@example.org", ref="share:whatsapp")
    with app.app_context():
        refs = {s.supporter.email: s.ref for s in db.session.scalars(select(Submission))}
    assert refs == {"aysel@example.org": None, "next@example.org": "share:whatsapp"}


@pytest.mark.parametrize(
    ("ref", "stored"),
    [("share:telegram", "share:telegram"), ("p" * 41, None), ("a b", None), ("share/whatsapp", None), ("<b>", None)],
)
def test_a_source_is_stored_only_as_a_short_plain_token(
    app: Flask, client: FlaskClient, keys: list[str], ref: str, stored: str | None
) -> None:
    send_letter(client, keys[:1], ref=ref)
    with app.app_context():
        assert db.session.scalars(select(Submission.ref)).one() == stored


def test_drafts_nobody_came_back_to_are_wiped_after_a_day(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    typed_page(client, keys[:1], "recipients")
    with app.app_context():
        saved = db.session.scalars(select(LetterDraft.updated_at)).one()
        remind_and_expire(saved + timedelta(hours=23))
        assert count(LetterDraft) == 1
        remind_and_expire(saved + timedelta(hours=25))
        db.session.commit()
        assert count(LetterDraft) == 0


def test_drafts_saved_from_one_internet_address_are_limited(app: Flask, client: FlaskClient, keys: list[str]) -> None:
    app.config["DRAFT_LIMIT_PER_IP"] = "2/hour"
    for _ in range(2):
        assert typed_page(app.test_client(), keys[:1], "recipients").status_code == 303
    refused = typed_page(app.test_client(), keys[:1], "recipients")
    assert refused.status_code == 429
    assert_everything_typed_is_there(refused.get_data(as_text=True))  # refused, but nothing typed is lost
    with app.app_context():
        assert count(LetterDraft) == 2


def test_a_letter_refused_by_the_limit_per_internet_address_keeps_everything_typed(app: Flask, keys: list[str]) -> None:
    app.config["SUBMISSION_LIMIT_PER_IP"] = "1/hour"  # one community centre's connection
    assert typed_page(app.test_client(), keys[:1], "send", consent="y").status_code == 302
    refused = typed_page(app.test_client(), keys[:1], "send", consent="y", email="tweede@example.org")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert MINE in html and 'value="tweede@example.org"' in html and "probeer het over een tijdje opnieuw" in html
    with app.app_context():
        assert count(Submission) == 1


def test_a_letter_still_being_written_is_in_the_export_and_gone_after_erasure(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    from outreach.database import utcnow
    from outreach.privacy import subject

    typed_page(client, keys[:1], "recipients")  # the draft is kept while recipients change
    with app.app_context():
        held = subject.export("Aysel@example.org")
        assert [row["body"] for row in held["tables"]["letter_draft"]] == [MINE]
        assert subject.erase("aysel@example.org", utcnow())
        db.session.commit()
        assert count(LetterDraft) == 0


def test_a_link_works_for_its_lifetime_and_not_a_second_longer(app: Flask) -> None:
    with app.test_request_context():
        signed_at = time.time()
        token = tokens.confirmation(5, now=signed_at)
        assert tokens.load(token, tokens.CONFIRM_SALT, 3600, now=signed_at + 3599) == (tokens.VALID, 5)
        assert tokens.load(token, tokens.CONFIRM_SALT, 3600, now=signed_at + 3601) == (tokens.EXPIRED, None)
