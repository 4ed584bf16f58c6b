"""The reports page with a large campaign: 100,000 letters and 20,000 replies (and 10,000 survey answers), built
with bulk inserts; times the statistics, the report page, the per-member CSV and the replies inbox, and counts
their SQL statements.

    .venv/bin/python bench/reports_bench.py [--letters 100000] [--replies 20000] [--database-url URL]
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select

from outreach.accounts.models import Account
from outreach.accounts.passwords import hash_password
from outreach.campaigns.models import Letter, Submission, Supporter
from outreach.database import utcnow
from outreach.directory.demo import load_demo
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.models import OutboxMessage
from outreach.replies.models import STANCES, Reply, SurveyAnswer
from outreach.reports import stats
from tests import conftest
from tests.builders import campaign
from tests.conftest import create_postgres_database, drop_postgres_database, make_app

CHUNK = 5000


def build(letters: int, replies: int) -> int:
    """A campaign with `letters` letters to the demo directory's 150 members, 4 per supporter."""
    random.seed(7)
    now = utcnow()
    load_demo()
    row = campaign()
    members = list(db.session.scalars(select(Member.id).where(Member.email.is_not(None))))
    db.session.add(Account(email="bench@example.org", password_hash=hash_password("x" * 20), role="organiser"))
    db.session.commit()
    supporters = letters // 4
    for first in range(0, supporters, CHUNK):
        ids = range(first + 1, min(first + CHUNK, supporters) + 1)
        db.session.execute(
            insert(Supporter),
            [{"id": i, "email": f"s{i}@example.org", "created_at": now, "last_active_at": now} for i in ids],
        )
        db.session.execute(
            insert(Submission),
            [
                {
                    "id": i,
                    "nonce": f"n{i}",
                    "campaign_id": row.id,
                    "supporter_id": i,
                    "status": "confirmed",
                    "name": f"S {i}",
                    "subject": "Erkenning",
                    "body": "tekst",
                    "consent_version": "b",
                    "consent_text": "b",
                    "consented_at": now,
                    "created_at": now,
                }
                for i in ids
            ],
        )
    for first in range(0, letters, CHUNK):
        batch = range(first + 1, min(first + CHUNK, letters) + 1)
        sent = {i: now - timedelta(days=random.randint(0, 60), minutes=random.randint(0, 1440)) for i in batch}
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "id": i,
                    "kind": "letter",
                    "priority": 3,
                    "status": "sent",
                    "message_id": f"<{i}@bench>",
                    "bounce_token": f"t{i}",
                    "sender": "x",
                    "recipient": "mp@example",
                    "envelope_from": "x",
                    "subject": "Erkenning",
                    "body": "tekst",
                    "campaign_id": row.id,
                    "created_at": sent[i],
                    "next_attempt_at": sent[i],
                    "sent_at": sent[i],
                    "attempts": 1,
                }
                for i in batch
            ],
        )
        db.session.execute(
            insert(Letter),
            [
                {
                    "id": i,
                    "submission_id": (i - 1) // 4 + 1,
                    "campaign_id": row.id,
                    "supporter_id": (i - 1) // 4 + 1,
                    "target": f"member:{members[i % len(members)]}",
                    "member_id": members[(i * 7 + i // 4) % len(members)],
                    "recipient_name": "Lid",
                    "salutation": "Geachte",
                    "subject": "Erkenning",
                    "body": "tekst",
                    "status": "queued",
                    "outbox_message_id": i,
                    "created_at": sent[i],
                }
                for i in batch
            ],
        )
    answered = random.sample(range(1, letters + 1), replies)
    for first in range(0, replies, CHUNK):
        db.session.execute(
            insert(Reply),
            [
                {
                    "dedupe_key": f"r{i}",
                    "source": "imap",
                    "kind": "answer",
                    "matched_by": "token",
                    "handled": True,
                    "letter_id": i,
                    "campaign_id": row.id,
                    "member_id": None,
                    "subject": "Re",
                    "text": "antwoord",
                    "received_at": now - timedelta(days=random.randint(0, 30)),
                    "created_at": now,
                    "stance": random.choice([*STANCES, None]),
                    "channel": "email",
                }
                for i in answered[first : first + CHUNK]
            ],
        )
    for first in range(0, letters // 10, CHUNK):
        db.session.execute(
            insert(SurveyAnswer),
            [
                {
                    "letter_id": i,
                    "answer": random.choice(["replied", "no_reply", "ack_only"]),
                    "answered_at": now,
                    "counts": True,
                }
                for i in range(first * 10 + 5, min(first + CHUNK, letters // 10) * 10, 10)
            ],
        )
    db.session.commit()
    return row.id


def timed(label: str, app, action, results: list) -> None:
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    started, started_cpu = time.perf_counter(), time.process_time()
    action()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    event.remove(engine, "before_cursor_execute", listener)
    results.append((label, elapsed, cpu, len(statements)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    conftest.POSTGRES_URL = args.database_url  # a scratch database of its own there, dropped at the end
    url = create_postgres_database("reports_bench") if args.database_url else f"sqlite:///{folder}/bench.sqlite"
    try:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            campaign_id = build(args.letters, args.replies)
            print(f"built {args.letters} letters, {args.replies} replies in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        client.post("/admin/login", data={"email": "bench@example.org", "password": "x" * 20})
        visitor = app.test_client()  # not logged in: sees the public counter as counted at most every 30 s
        results: list = []

        def statistics() -> None:
            with app.app_context():
                stats.report(campaign_id, utcnow())

        for label, action in (
            ("stats.report()", statistics),
            ("GET /admin/reports/<id>", lambda: client.get(f"/admin/reports/{campaign_id}")),
            ("GET /admin/reports/<id>/members.csv", lambda: client.get(f"/admin/reports/{campaign_id}/members.csv")),
            ("GET /admin/replies/?show=all", lambda: client.get("/admin/replies/?show=all")),
            ("GET /admin/campaigns/<id>", lambda: client.get(f"/admin/campaigns/{campaign_id}")),
            ("GET /campaigns/khojaly (organiser: counted afresh)", lambda: client.get("/campaigns/khojaly")),
            ("GET /campaigns/khojaly (a visitor: counter kept)", lambda: visitor.get("/campaigns/khojaly")),
        ):
            action()  # warm
            timed(label, app, action, results)
        # The process's CPU time besides the clock: on a shared machine it is the steadier figure (SQLite works in
        # this process, so it is all of the work there; with PostgreSQL it leaves out the server's share).
        print("| what | time | CPU | SQL statements |\n|---|---|---|---|")
        for label, elapsed, cpu, count in results:
            print(f"| {label} | {elapsed * 1000:.0f} ms | {cpu * 1000:.0f} ms | {count} |")
        with app.app_context():
            db.engine.dispose()
    finally:
        if args.database_url:
            drop_postgres_database(url)


if __name__ == "__main__":
    main()
