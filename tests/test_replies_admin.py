"""The organisers' replies inbox: assigning what came in unlinked, tagging answers, correcting a kind, logging an
answer that came by post; each changes the MP's numbers."""

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts.models import AuditEntry
from outreach.campaigns.models import Campaign, Letter
from outreach.database import utcnow
from outreach.directory.delivery import is_undeliverable
from outreach.extensions import db
from outreach.replies.ingest import ingest
from outreach.replies.models import Reply
from outreach.reports import stats
from tests.builders import campaign, member, party, sent_letters

CORPUS = Path(__file__).parent / "fixtures" / "replies"


@pytest.fixture
def written(app: Flask, directory: dict[str, int]) -> dict[str, int]:
    with app.app_context():
        row = campaign()
        [letter] = sent_letters(row, [directory["van_der_lee"]], sent_at=utcnow() - timedelta(days=20))
        return {"campaign": row.id, "letter": letter.id, "member": directory["van_der_lee"]}


def stored(app: Flask, name: str) -> int:
    with app.app_context():
        reply, _ = ingest((CORPUS / name).read_bytes(), "file")
        db.session.commit()
        return reply.id


def test_an_unlinked_message_waits_in_the_inbox_until_an_organiser_assigns_it(
    app: Flask, organiser: FlaskClient, written: dict[str, int]
) -> None:
    reply_id = stored(app, "unmatched.eml")
    inbox = organiser.get("/admin/replies/").get_data(as_text=True)
    assert "Vraag over de campagne" in inbox
    page = organiser.get(f"/admin/replies/{reply_id}")
    assert page.status_code == 200 and "Hoe kan ik meedoen" in page.get_data(as_text=True)

    wrong = organiser.post(f"/admin/replies/{reply_id}/assign", data={"campaign": written["campaign"], "member": 999})
    assert wrong.status_code == 400
    done = organiser.post(
        f"/admin/replies/{reply_id}/assign", data={"campaign": written["campaign"], "member": written["member"]}
    )
    assert done.status_code == 302
    with app.app_context():
        reply = db.session.get(Reply, reply_id)
        assert (reply.letter_id, reply.matched_by, reply.handled, reply.raw) == (written["letter"], "hand", True, None)
        assert stats.report(written["campaign"], utcnow()).members[written["member"]].answered == 1
    assert "Vraag over de campagne" not in organiser.get("/admin/replies/").get_data(as_text=True)


def test_tagging_an_answer_records_its_stance_and_who_tagged_it(
    app: Flask, organiser: FlaskClient, written: dict[str, int]
) -> None:
    with app.app_context():
        raw = (CORPUS / "gmail_reply_en.eml").read_bytes()
        from outreach.outbox.models import OutboxMessage

        letter = db.session.get(Letter, written["letter"])
        message_id = db.session.get(OutboxMessage, letter.outbox_message_id).message_id
        reply, _ = ingest(raw.replace(b"{{MESSAGE_ID}}", message_id.encode()), "file")
        db.session.commit()
        reply_id = reply.id
    assert "Recognition of the Khojaly" in organiser.get("/admin/replies/?show=untagged").get_data(as_text=True)
    assert organiser.post(f"/admin/replies/{reply_id}/tag", data={"stance": "maybe"}).status_code == 400
    response = organiser.post(
        f"/admin/replies/{reply_id}/tag", data={"stance": "supports", "note": "Vraagt de minister"}
    )
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.get(Reply, reply_id)
        assert (reply.stance, reply.note, reply.tagged_by) == ("supports", "Vraagt de minister", "org@example.org")
        assert stats.report(written["campaign"], utcnow()).members[written["member"]].stances == {"supports": 1}
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "reply tagged"


def test_an_answer_by_post_is_logged_by_hand_and_counts(
    app: Flask, organiser: FlaskClient, written: dict[str, int]
) -> None:
    form = organiser.get("/admin/replies/new")
    assert form.status_code == 200
    missing = organiser.post("/admin/replies/new", data={"campaign": written["campaign"], "member": written["member"]})
    assert missing.status_code == 400
    sent_on = (utcnow() - timedelta(days=10)).date().isoformat()
    response = organiser.post(
        "/admin/replies/new",
        data={
            "campaign": written["campaign"],
            "member": written["member"],
            "channel": "post",
            "kind": "answer",
            "received": sent_on,
            "stance": "noncommittal",
            "text": "Brief ontvangen per post: de fractie beraadt zich.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalars(select(Reply)).one()
        assert (reply.channel, reply.source, reply.letter_id, reply.stance) == (
            "post",
            "manual",
            written["letter"],
            "noncommittal",
        )
        numbers = stats.report(written["campaign"], utcnow()).members[written["member"]]
        assert (numbers.answered, numbers.counted) == (1, 1)


def test_a_bounce_recognised_by_hand_has_a_bounce_s_effects(
    app: Flask, organiser: FlaskClient, written: dict[str, int]
) -> None:
    reply_id = stored(app, "unmatched.eml")
    organiser.post(
        f"/admin/replies/{reply_id}/assign", data={"campaign": written["campaign"], "member": written["member"]}
    )
    assert organiser.post(f"/admin/replies/{reply_id}/kind", data={"kind": "bounce"}).status_code == 302
    with app.app_context():
        assert db.session.get(Letter, written["letter"]).status == "bounced"
        assert is_undeliverable("t.vdlee@tweedekamer.example")


def test_set_aside_and_raw_view_is_logged(app: Flask, organiser: FlaskClient, written: dict[str, int]) -> None:
    reply_id = stored(app, "malformed.bin")
    raw = organiser.get(f"/admin/replies/{reply_id}/raw")
    assert raw.status_code == 200 and raw.mimetype == "text/plain"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "viewed raw reply"
    assert organiser.post(f"/admin/replies/{reply_id}/kind", data={"kind": "not_a_reply"}).status_code == 302
    assert organiser.get(f"/admin/replies/{reply_id}/raw").status_code == 404  # no longer kept
    with app.app_context():
        assert db.session.get(Reply, reply_id).handled


def test_numbers_too_large_for_the_database_are_not_found(organiser: FlaskClient) -> None:
    assert organiser.get("/admin/replies/99999999999999999999").status_code == 404
    assert organiser.get("/admin/reports/3000000000").status_code == 404
    assert organiser.get("/admin/replies/?page=999999999999999999&campaign=3000000000").status_code == 200


def test_the_member_list_for_a_reply_writes_names_as_every_other_page_does(
    app: Flask, organiser: FlaskClient, written: dict[str, int]
) -> None:
    with app.app_context():
        pvda = party("PvdA", "Partij van de Arbeid")
        ancona, van_dijk = member("Hedy", "Ancona", pvda, prefix="d'"), member("Jan", "Dijk", pvda, prefix="Van")
        db.session.commit()
        sent_letters(db.session.get(Campaign, written["campaign"]), [ancona.id, van_dijk.id], supporter_no=2)
    form = organiser.get("/admin/replies/new").get_data(as_text=True)
    assert "Hedy d&#39;Ancona (PvdA)" in form and "Jan van Dijk (PvdA)" in form
    assert "d&#39; Ancona" not in form and "Jan Van Dijk" not in form
