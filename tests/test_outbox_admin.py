"""The organiser's outbox page and controls, the development mail viewer, and the opt-out link for MP offices."""

import smtplib
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts.models import AuditEntry
from outreach.directory.delivery import flag_undeliverable, opt_out_token
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox import queue, states
from outreach.outbox.devsink import FolderHandler
from outreach.outbox.models import OutboxMessage
from outreach.outbox.worker import Worker
from tests.builders import letter
from tests.smtpserver import free_port


def set_status(message: OutboxMessage, status: str, **values: object) -> None:
    message.status = status  # arranging a scene, not a transition under test
    for name, value in values.items():
        setattr(message, name, value)
    db.session.commit()


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_outbox_page_shows_counts_failures_and_held_letters_with_their_reasons(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        mp = db.session.get(Member, directory["yesilgoz"])
        failed, held, _queued = letter(mp, 1), letter(mp, 2), letter(mp, 3)
        set_status(failed, states.FAILED, last_code=550, last_text="5.1.1 No such user")
        set_status(held, states.HELD, hold_reason="left_house")
    page = organiser.get("/admin/outbox/").get_data(as_text=True)
    assert "5.1.1 No such user" in page and "het Kamerlid heeft de Kamer verlaten" in page
    assert "Ik vraag uw aandacht" not in page  # letter text is not shown on the dashboard
    for count, state in [(1, "mislukt"), (1, "vastgehouden"), (1, "in de wachtrij")]:
        assert f"<strong>{count}</strong> {state}" in page


def test_pause_and_resume_are_logged_and_every_organiser_page_says_sending_is_paused(
    app: Flask, organiser: FlaskClient
) -> None:
    assert organiser.post("/admin/outbox/pause").status_code == 302
    assert "De verzending is gepauzeerd." in organiser.get("/admin/directory/").get_data(as_text=True)
    with app.app_context():
        assert queue.control_row().paused and queue.control_row().paused_by == "org@example.org"
    organiser.post("/admin/outbox/resume")
    assert "De verzending is gepauzeerd." not in organiser.get("/admin/directory/").get_data(as_text=True)
    with app.app_context():
        assert not queue.control_row().paused
        assert actions()[-2:] == ["outbox.pause", "outbox.resume"]


def test_a_failed_message_can_be_retried_but_a_sent_one_cannot(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        mp = db.session.get(Member, directory["yesilgoz"])
        failed, sent = letter(mp, 1), letter(mp, 2)
        set_status(failed, states.FAILED, attempts=3)
        set_status(sent, states.SENT)
        failed_id, sent_id = failed.id, sent.id
    organiser.post(f"/admin/outbox/{failed_id}/retry")
    response = organiser.post(f"/admin/outbox/{sent_id}/retry", follow_redirects=True)
    assert "Dat kan niet meer" in response.get_data(as_text=True)
    with app.app_context():
        retried, untouched = db.session.get(OutboxMessage, failed_id), db.session.get(OutboxMessage, sent_id)
        assert (retried.status, retried.attempts) == ("queued", 0)
        assert untouched.status == "sent"
        assert actions()[-1] == "outbox.retry"
    assert organiser.post(f"/admin/outbox/{failed_id}/explode").status_code == 404


def test_the_kill_switch_and_cancelling_a_supporter_from_the_page(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        mp = db.session.get(Member, directory["yesilgoz"])
        ids = [letter(mp, n, campaign_id=3).id for n in range(3)] + [letter(mp, 7, campaign_id=4).id]
    page = organiser.get("/admin/outbox/").get_data(as_text=True)
    assert "Campagne 3" in page and "Campagne 4" in page
    response = organiser.post("/admin/outbox/campaign/3/hold", follow_redirects=True)
    assert "3 berichten vastgehouden." in response.get_data(as_text=True)
    response = organiser.post("/admin/outbox/cancel-supporter", data={"email": "nonsense"}, follow_redirects=True)
    assert "Vul één e-mailadres in" in response.get_data(as_text=True)
    response = organiser.post(
        "/admin/outbox/cancel-supporter", data={"email": "supporter7@example.org"}, follow_redirects=True
    )
    assert "1 bericht geannuleerd." in response.get_data(as_text=True)
    with app.app_context():
        assert [db.session.get(OutboxMessage, i).status for i in ids] == ["held"] * 3 + ["cancelled"]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.cancel_supporter")).one()
        assert "supporter7" not in (entry.detail or "")  # the address itself is not logged


def test_a_message_page_shows_its_attempts_but_not_its_text(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        message = letter(db.session.get(Member, directory["yesilgoz"]))
        message_id, message_header = message.id, message.message_id
    page = organiser.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert message_header.strip("<>") in page and "Nog niet geprobeerd." in page
    assert "Ik vraag uw aandacht" not in page


def test_a_refused_address_is_listed_and_can_be_cleared(app: Flask, organiser: FlaskClient) -> None:
    with app.app_context():
        flag_undeliverable("gone@tweedekamer.example", "550 No such user")
        db.session.commit()
    assert "gone@tweedekamer.example" in organiser.get("/admin/outbox/").get_data(as_text=True)
    organiser.post("/admin/outbox/undeliverable/clear", data={"email": "gone@tweedekamer.example"})
    assert "gone@tweedekamer.example" not in organiser.get("/admin/outbox/").get_data(as_text=True)


def test_an_mp_office_opts_out_with_the_link_under_a_letter(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        waiting = letter(db.session.get(Member, directory["yesilgoz"]))
        token = opt_out_token(directory["yesilgoz"])
        waiting_id = waiting.id
    page = client.get(f"/opt-out/{token}")
    assert page.status_code == 200 and "Dilan Yeşilgöz" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert not db.session.get(Member, directory["yesilgoz"]).do_not_write  # opening the link changes nothing
    done = client.post(f"/opt-out/{token}")
    assert "Gedaan" in done.get_data(as_text=True)
    with app.app_context():
        mp = db.session.get(Member, directory["yesilgoz"])
        assert mp.do_not_write and not mp.can_be_written_to
        Worker().run(once=True)
        db.session.expire_all()
        assert db.session.get(OutboxMessage, waiting_id).hold_reason == "do_not_write"
    assert client.get(f"/opt-out/{token[:-2]}xx").status_code == 404


def test_dev_mail_shows_what_the_local_sink_caught_with_clickable_links_in_debug_only(
    app: Flask, organiser: FlaskClient, tmp_path: object
) -> None:
    folder = str(tmp_path / "dev-mail")
    app.config["DEV_MAIL_DIR"] = folder
    sink = Controller(FolderHandler(folder), hostname="127.0.0.1", port=free_port())
    sink.start()
    try:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "noreply@outreach.localhost", "ann@example.org", "Bevestig"
        mail.set_content("Klik hier: http://127.0.0.1:5000/confirm/abc?x=1&y=<b>\nDank!")
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=5) as smtp:
            smtp.send_message(mail)
    finally:
        sink.stop()
    assert organiser.get("/admin/dev-mail").status_code == 404  # not on a production server
    app.debug = True
    listing = organiser.get("/admin/dev-mail").get_data(as_text=True)
    assert "Bevestig" in listing and "ann@example.org" in listing
    name = next(p.name for p in (tmp_path / "dev-mail").glob("*.eml"))
    page = organiser.get(f"/admin/dev-mail/{name}").get_data(as_text=True)
    assert '<a href="http://127.0.0.1:5000/confirm/abc?x=1&amp;y=">' in page
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert organiser.get("/admin/dev-mail/..%2Foutreach.sqlite").status_code == 404


def test_the_members_correction_page_says_when_their_address_was_refused(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    page = f"/admin/directory/members/{directory['yesilgoz']}"
    assert "definitief geweigerd" not in organiser.get(page).get_data(as_text=True)
    with app.app_context():
        flag_undeliverable("D.Yesilgoz@tweedekamer.example", "550 5.1.1 No such user")
        db.session.commit()
    text = organiser.get(page).get_data(as_text=True)
    assert "d.yesilgoz@tweedekamer.example op" in text and "550 5.1.1 No such user" in text
