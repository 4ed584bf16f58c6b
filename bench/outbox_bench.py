"""Outbox throughput: messages per second from the queue to a loopback SMTP sink, against raw smtplib sending the
same messages over one connection to the same sink, in the same run; for SQLite and, when given, PostgreSQL.

The sink is aiosmtpd's own discarding handler in a separate process, so it does not share the GIL with the sender.

    .venv/bin/python bench/outbox_bench.py [--messages 2000] [--letters] [--postgres postgresql://postgres@127.0.0.1/test]

`--letters` sends supporters' letters of a real letter's length (Dutch and Azerbaijani text, a long paragraph, the
footer) instead of one-line notices, so that the cost of encoding the text shows. `--encoding-rounds N` then builds
and writes out the same messages N times with the text in quoted-printable and N times as Flask-Mail writes it
(8bit, unencoded), in alternate rounds, and prints the best round of each: the encoding's own cost, measured apart
from the network and the database, and in the same run so that the machine's load falls on both alike.
"""

import argparse
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_mail import Message
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from outreach import create_app
from outreach.config import normalise_database_url
from outreach.extensions import db
from outreach.outbox.compose import Campaign, OutboxMail, Recipient, Supporter, build, enqueue_letter
from outreach.outbox.models import OutboxMessage
from outreach.outbox.worker import Worker
from tests.faults import queue_messages
from tests.smtpserver import free_port


def start_sink() -> tuple[subprocess.Popen, int]:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return sink, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sink did not start")


# Under 998 characters a line, so that the same letters go out with or without a body encoding.
LETTER = (
    "Geachte heer De Vries,\n\n"
    + "Op 26 februari 1992 werden in Xocalı honderden burgers gedood. " * 14
    + "\n\nIk vraag de Kamer om dit bloedbad te erkennen en om 26 februari een herdenkingsdag te maken. "
    "Mijn familie komt uit Ağdam; wij herdenken elk jaar, in Den Haag en in Bakı.\n\n"
    "Met vriendelijke groet,\nAysel Məmmədova"
)


def queue_letters(count: int) -> None:
    campaign = Campaign(1, "Khojaly herdenken", "https://khojaly.example/campaigns/khojaly")
    for n in range(count):
        enqueue_letter(
            Recipient(f"Lid {n}", f"lid{n}@tweedekamer.example"),
            Supporter(f"Aysel Məmmədova {n}", f"supporter{n}@example.org", "Utrecht"),
            campaign,
            "Erkenning van Khojaly",
            LETTER,
        )
    db.session.commit()


def measure(url: str, messages: int, port: int, letters: bool = False) -> tuple[float, float, float, float]:
    """Messages/s for the same messages: (outbox, raw smtplib with the bytes ready, raw smtplib writing each), and
    the microseconds it takes to build and write out one message, best of five rounds (no network, no database)."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_PORT": port,
            "MAIL_SUPPRESS_SEND": False,
            "OUTBOX_RATE": 0,
        }
    )
    with app.app_context():
        db.create_all()
        queue_letters(messages) if letters else queue_messages(messages)
        rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        built = [(m.envelope_from, m.recipient, build(m)) for m in rows]
        raw = [(sender, recipient, mail.as_bytes()) for sender, recipient, mail in built]
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for m in rows:
                build(m).as_bytes()
            rounds.append(time.perf_counter() - started)
        writing_us = min(rounds) / messages * 1e6
        del rows
        db.session.rollback()
        db.session.expunge_all()  # the worker starts with an empty session, as `flask outbox work` does

        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for sender, recipient, data in raw:
                smtp.sendmail(sender, [recipient], data)
        raw_rate = messages / (time.perf_counter() - started)

        started = time.perf_counter()  # the same, writing each message out (as_bytes) as it goes
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for sender, recipient, mail in built:
                smtp.sendmail(sender, [recipient], mail.as_bytes())
        raw_writing_rate = messages / (time.perf_counter() - started)

        worker = Worker()
        started = time.perf_counter()
        worker.run(once=True)
        outbox_rate = messages / (time.perf_counter() - started)
        assert worker.delivered == messages, worker.delivered
        db.session.remove()
        db.engine.dispose()
    return outbox_rate, raw_rate, raw_writing_rate, writing_us


def encoding_cost(messages: int, letters: bool, rounds: int) -> tuple[float, float]:
    """Microseconds to build and write out one message: (text in quoted-printable, text unencoded), best rounds."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        queue_letters(messages) if letters else queue_messages(messages)
        rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        encoded = OutboxMail._mimetext
        best = {"encoded": float("inf"), "unencoded": float("inf")}
        try:
            for _ in range(rounds):
                for variant, mimetext in (("encoded", encoded), ("unencoded", Message._mimetext)):
                    OutboxMail._mimetext = mimetext
                    started = time.perf_counter()
                    for row in rows:
                        build(row).as_bytes()
                    best[variant] = min(best[variant], time.perf_counter() - started)
        finally:
            OutboxMail._mimetext = encoded
    return best["encoded"] / messages * 1e6, best["unencoded"] / messages * 1e6


def postgres_database(server_url: str) -> tuple[str, object]:
    server = make_url(normalise_database_url(server_url))
    name = f"outreach_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def report(database: str, messages: int, outbox: float, raw: float, raw_writing: float, writing_us: float) -> None:
    print(
        f"| {database} | {messages} | {outbox:.0f} | {raw:.0f} | {raw_writing:.0f} | {outbox / raw:.2f} "
        f"| {outbox / raw_writing:.2f} | {writing_us:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--letters", action="store_true", help="supporters' letters instead of one-line notices")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to measure as well")
    parser.add_argument("--encoding-rounds", type=int, default=0, help="measure the body encoding's own cost")
    args = parser.parse_args()
    if args.encoding_rounds:
        encoded, unencoded = encoding_cost(args.messages, args.letters, args.encoding_rounds)
        print(f"| {args.messages} | {encoded:.0f} µs | {unencoded:.0f} µs | {encoded / unencoded:.3f} |")
        return
    sink, port = start_sink()
    try:
        with tempfile.TemporaryDirectory() as folder:
            sqlite = f"sqlite:///{folder}/bench.sqlite"
            report("SQLite", args.messages, *measure(sqlite, args.messages, port, args.letters))
        if args.postgres:
            url, drop = postgres_database(args.postgres)
            try:
                report("PostgreSQL", args.messages, *measure(url, args.messages, port, args.letters))
            finally:
                drop()
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
