"""Fault runs shared by the test suite (small sizes) and bench/faults.py (full sizes): real worker processes
(`flask outbox work`) against a real SMTP sink that is killed, refused, hung up on or locked out of the database, the
web tier with its database locked or its disk full, the SyncFeed going down mid-sync and the IMAP line dropping
mid-fetch. Each returns what was lost (the promise: nothing) and what was duplicated (only by a kill, and then with
the same Message-ID)."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select

from outreach.campaigns.models import Letter, Submission
from outreach.campaigns.models import Supporter as SupporterRow
from outreach.directory import export, queries
from outreach.directory.mirror import TkEntity
from outreach.directory.models import Member
from outreach.directory.sync import run_sync
from outreach.directory.syncfeed import Client, SyncFeedError
from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.compose import Campaign, Recipient, Supporter, enqueue, enqueue_letter
from outreach.outbox.models import NOTICE, DeliveryAttempt, OutboxControl, OutboxMessage
from outreach.replies.models import Reply
from tests.builders import build_directory
from tests.builders import campaign as builders_campaign
from tests.campaign_helpers import letter_form
from tests.conftest import make_app
from tests.imapserver import DroppingProxy, imap_server
from tests.smtpserver import SilentServer, SinkServer
from tests.tkfeed import Feed, large_house, serve

ROOT = Path(__file__).resolve().parent.parent


@dataclass(kw_only=True)
class Outcome:
    """What a fault run lost (the promise: nothing), what it duplicated, and which of its own promises (what failed,
    what the web tier answered, ...) did not hold."""

    lost: int
    duplicates: int = 0
    seconds: float = 0.0
    details: str = ""
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0 and not self.broken

    @classmethod
    def counted(cls, wanted: set, stored: Counter, **facts: object) -> "Outcome":
        """What was wanted but is not stored, and what is stored more than once."""
        return cls(lost=len(wanted - set(stored)), duplicates=sum(count - 1 for count in stored.values()), **facts)

    def line(self) -> str:
        return f"lost {self.lost}, duplicates {self.duplicates}, {self.seconds:.1f} s; {self.details}"


def problems(*checks: tuple[str, object]) -> list[str]:
    """The promises, of (promise broken, whether it happened), that were broken."""
    return [problem for problem, happened in checks if happened]


@dataclass(kw_only=True)
class Report(Outcome):
    """What an outbox fault run delivered: duplicates only from kills (never more than the kills), each with the
    same Message-ID, and no message the sink saw that no row has."""

    queued: int
    distinct_delivered: int
    deliveries: int
    unknown: int  # Message-IDs the sink saw that no row has (must be 0)
    kills: int = 0
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.unknown == 0 and self.duplicates <= self.kills and not self.broken

    def line(self) -> str:
        return (
            f"{self.queued} queued, {self.deliveries} deliveries, {self.distinct_delivered} distinct, "
            f"lost {self.lost}, duplicates {self.duplicates}, kills {self.kills}, "
            f"attempts logged {self.attempts}, {self.seconds:.1f} s" + (f"; {self.details}" if self.details else "")
        )


def queue_messages(count: int) -> list[str]:
    """`count` e-mails to distinct addresses, committed in one go; returns their Message-IDs."""
    ids = [
        enqueue(NOTICE, Recipient(f"Lid {n}", f"lid{n}@tweedekamer.example"), f"Brief {n}", f"Tekst {n}").message_id
        for n in range(count)
    ]
    db.session.commit()
    return ids


def worker_environment(database_url: str, smtp_port: int, **config: object) -> dict[str, str]:
    environment = {
        **os.environ,
        "OUTREACH_SQLALCHEMY_DATABASE_URI": database_url,
        "OUTREACH_SECRET_KEY": "fault-run",
        "OUTREACH_MAIL_SERVER": "127.0.0.1",
        "OUTREACH_MAIL_PORT": str(smtp_port),
        "OUTREACH_MAIL_SUPPRESS_SEND": "false",
        "OUTREACH_OUTBOX_RATE": "0",
        "OUTREACH_OUTBOX_POLL_SECONDS": "0.05",
        "OUTREACH_OUTBOX_SMTP_TIMEOUT": "5",
    }
    environment.update({f"OUTREACH_{key}": str(value) for key, value in config.items()})
    return environment


def start_worker(environment: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def all_sent() -> bool:
    db.session.rollback()  # a fresh snapshot each time
    return not db.session.scalar(select(func.count()).where(OutboxMessage.status != "sent"))


def report(server: SinkServer, ids: list[str], started: float, kills: int = 0) -> Report:
    delivered = server.sink.message_ids()
    expected = set(ids)
    distinct = set(delivered)
    db.session.rollback()
    return Report(
        queued=len(ids),
        distinct_delivered=len(distinct & expected),
        deliveries=len(delivered),
        lost=len(expected - distinct),
        duplicates=len(delivered) - len(distinct),
        unknown=len(distinct - expected),
        kills=kills,
        attempts=db.session.scalar(select(func.count()).select_from(DeliveryAttempt)) or 0,
        seconds=time.monotonic() - started,
    )


def kill_run(database_url: str, messages: int, kills: int, seed: int = 1, timeout: float = 300) -> Report:
    """T1: SIGKILL the worker `kills` times while it delivers `messages`, restarting it each time."""
    rng = random.Random(seed)
    ids = queue_messages(messages)
    with SinkServer() as server:
        environment = worker_environment(database_url, server.port)
        started = time.monotonic()
        for _ in range(kills):
            before = len(server.sink.delivered)
            worker = start_worker(environment)
            # kill while it is busy: after a random number of deliveries since this start, then a random 0-20 ms
            target = before + rng.randint(3, max(4, messages // (kills * 2)))
            wait_until(lambda t=target, w=worker: len(server.sink.delivered) >= t or w.poll() is not None, timeout)
            time.sleep(rng.uniform(0, 0.02))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        worker = start_worker(environment)
        finished = wait_until(all_sent, timeout)
        stop(worker)
        assert finished, "the worker did not finish after the last restart"
        return report(server, ids, started, kills)


def outage_run(
    database_url: str, messages: int, outage_seconds: float, retry_max: float = 1, timeout: float = 300
) -> Report:
    """T2: the server answers 451 to everything for `outage_seconds` once a fifth of the batch is delivered (retries
    scaled down: from 0.2 s, growing to at most `retry_max`)."""
    ids = queue_messages(messages)
    with SinkServer() as server:
        environment = worker_environment(
            database_url, server.port, OUTBOX_RETRY_BASE=0.2, OUTBOX_RETRY_MAX=retry_max, OUTBOX_BREAKER_FAILURES=1000
        )
        started = time.monotonic()
        worker = start_worker(environment)
        wait_until(lambda: len(server.sink.delivered) >= messages // 5, timeout)
        server.sink.outage = "451 4.3.0 Try again later"
        timer = threading.Timer(outage_seconds, lambda: setattr(server.sink, "outage", None))
        timer.start()
        finished = wait_until(all_sent, timeout + outage_seconds)
        timer.join()
        stop(worker)
        assert finished, "not everything was delivered after the outage"
        return report(server, ids, started)


def parallel_run(database_url: str, messages: int, workers: int, timeout: float = 300) -> Report:
    """Several workers drain one queue at once (PostgreSQL): each message must be delivered exactly once."""
    ids = queue_messages(messages)
    with SinkServer() as server:
        environment = worker_environment(database_url, server.port)
        started = time.monotonic()
        processes = [start_worker(environment) for _ in range(workers)]
        finished = wait_until(all_sent, timeout)
        for process in processes:
            stop(process)
        assert finished, "the workers did not drain the queue"
        return report(server, ids, started)


def queue_letters(count: int) -> list[OutboxMessage]:
    """`count` supporters' letters to distinct members, committed in one go."""
    letters = [
        enqueue_letter(
            Recipient(f"Lid {n}", f"lid{n}@tweedekamer.example"),
            Supporter(f"Steun {n}", f"steun{n}@example.org"),
            Campaign(1, "Khojaly", "http://127.0.0.1:5000/c"),
            f"Brief {n}",
            f"Tekst {n}",
        )
        for n in range(count)
    ]
    db.session.commit()
    return letters


def settled() -> bool:
    """Nothing waits to be sent any more (everything is sent, failed or held)."""
    db.session.rollback()
    waiting = select(func.count()).where(OutboxMessage.status.in_([states.QUEUED, states.SENDING, states.RETRY_WAIT]))
    return not db.session.scalar(waiting)


def refusal_run(database_url: str, messages: int, timeout: float = 300) -> Report:
    """T3: the server refuses 5 % of the recipients at RCPT (550) and 1 % of the messages at DATA (552). Exactly
    those letters fail, after one attempt each; each of their supporters gets one notice; everything else arrives."""
    letters = queue_letters(messages)
    refused = {m.recipient for m in letters[::20]}
    too_big = {m.recipient for m in letters[7::100]}
    with SinkServer() as server:
        server.sink.refuse_rcpt.update(dict.fromkeys(refused, "550 5.1.1 No such user"))
        server.sink.refuse_data.update(dict.fromkeys(too_big, "552 5.3.4 Message too big"))
        started = time.monotonic()
        worker = start_worker(worker_environment(database_url, server.port))
        finished = wait_until(settled, timeout)
        stop(worker)
        assert finished, "the worker did not finish"
        failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == states.FAILED)).all()
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == NOTICE)).all()
        expected = [m.message_id for m in letters if m.recipient not in refused | too_big]
        result = report(server, expected + [n.message_id for n in notices], started)
    wrongly = {m.recipient for m in failed} ^ (refused | too_big)
    retried = sum(m.attempts != 1 for m in failed)
    told = sorted(n.recipient for n in notices) == sorted(m.supporter_email for m in failed)
    result.details = (
        f"{len(failed)} failed ({len(refused)} refused at RCPT, {len(too_big)} at DATA), {len(wrongly)} wrongly, "
        f"{retried} retried, {len(notices)} supporters told"
    )
    result.broken = problems(
        ("the wrong letters failed", wrongly),
        ("refused letters were retried", retried),
        ("supporters were not told exactly once", not told),
    )
    return result


def hung_run(database_url: str, messages: int, hang_seconds: float, smtp_timeout: float = 2.0) -> Report:
    """T4: for `hang_seconds` the mail server accepts connections and never says a word, then a working one takes
    its port. Every attempt ends within the timeout (+5 s), the worker's heartbeat goes on, nothing is lost."""
    ids = queue_messages(messages)
    silent = SilentServer().__enter__()
    environment = worker_environment(
        database_url,
        silent.port,
        OUTBOX_SMTP_TIMEOUT=smtp_timeout,
        OUTBOX_BREAKER_FAILURES=3,
        OUTBOX_BREAKER_COOLDOWN=2,
        OUTBOX_RETRY_BASE=0.5,
        OUTBOX_RETRY_MAX=2,
    )
    started = time.monotonic()
    worker = start_worker(environment)
    beats = set()
    while time.monotonic() - started < hang_seconds:
        db.session.rollback()
        beats.add(db.session.scalar(select(OutboxControl.worker_seen_at)))
        time.sleep(0.25)
    silent.__exit__()
    with SinkServer(port=silent.port) as server:
        finished = wait_until(all_sent, 300)
        stop(worker)
        assert finished, "not everything was delivered after the server came back"
        result = report(server, ids, started)
    hung = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outcome != "sent")).all()
    longest = max(((a.finished_at - a.started_at).total_seconds() for a in hung), default=0.0)
    beats = sorted(beat for beat in beats if beat is not None)
    gap = max(((b - a).total_seconds() for a, b in pairwise(beats)), default=hang_seconds)
    result.details = (
        f"{len(hung)} attempts on the hung server, the longest {longest:.1f} s (timeout {smtp_timeout:g} s); "
        f"heartbeat seen {len(beats)} times during the hang, at most {gap:.1f} s apart"
    )
    result.broken = problems(
        ("an attempt outlasted the timeout by more than 5 s", longest > smtp_timeout + 5),
        ("the heartbeat stopped", len(beats) < 2),
    )
    return result


def lock_holder(path: str, seconds: float, locked: threading.Event | None = None):
    """Another process's writer: holds SQLite's exclusive lock for `seconds`."""

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        if locked is not None:
            locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    return hold


class Supporters:
    """The web tier under a fault: supporters sending letters to two members through the real form, one after
    another, each one told to try again (503) trying again later; what the site answered is counted."""

    def __init__(self, database_url: str, **config: object) -> None:
        self.app = make_app(
            database_url, FORM_MIN_SECONDS=0, SUBMISSION_LIMIT_PER_IP="1000000/hour", LOG_LEVEL="ERROR", **config
        )
        with self.app.app_context():
            members = db.session.scalars(select(Member.id).where(Member.is_current).limit(2)).all()
        self.keys = [f"member:{member}" for member in members]
        self.client = self.app.test_client()
        self.answers: Counter[int] = Counter()
        self.accepted: list[str] = []
        self.refused: list[str] = []  # told to try again
        self.slowest = 0.0
        self.unfriendly = 0  # 503s that do not say, in the supporter's language, that nothing was saved

    def send(self, email: str) -> int:
        started = time.monotonic()
        page = self.client.get("/campaigns/khojaly/letter", query_string={"to": self.keys})
        status = page.status_code
        if status == 200:
            form = letter_form(page.get_data(as_text=True), self.keys, email=email)
            answer = self.client.post("/campaigns/khojaly/letter", data=form)
            status = answer.status_code
            page = answer
        self.answers[status] += 1
        if status == 302:
            self.accepted.append(email)
            self.slowest = max(self.slowest, time.monotonic() - started)
        else:
            self.refused.append(email)
            friendly = "er is niets opgeslagen" in page.get_data(as_text=True) and page.headers.get("Retry-After")
            self.unfriendly += status == 503 and not friendly
        return status

    def keep_sending(self, stop_event: threading.Event, prefix: str) -> threading.Thread:
        def run() -> None:
            n = 0
            while not stop_event.is_set():
                self.send(f"{prefix}{n}@example.org")
                n += 1

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def try_again(self) -> None:
        waiting, self.refused = self.refused, []
        for email in waiting:
            self.send(email)

    def check(self) -> tuple[int, list[str], str]:
        """Lost letters (accepted but not in the database with both letters) and broken promises."""
        with self.app.app_context():
            letters = letters_per_supporter()
            submissions = db.session.scalar(select(func.count()).select_from(Submission))
        lost = sum(letters.get(email) != 2 for email in self.accepted)
        half_written = submissions - len(self.accepted) + sum(count != 2 for count in letters.values())
        answers = ", ".join(f"{count} × {status}" for status, count in sorted(self.answers.items()))
        broken = problems(
            ("a server error", any(status >= 500 and status != 503 for status in self.answers)),
            ("a 503 without the friendly page and Retry-After", self.unfriendly),
            ("a half-written letter", half_written),
            ("a supporter's letter never went through", self.refused),
        )
        summary = (
            f"web: {answers}; {len(self.accepted)} letters accepted, the slowest in {self.slowest:.1f} s; "
            f"submissions in the database {submissions}"
        )
        return lost, broken, summary


def letters_per_supporter() -> dict[str, int]:
    """How many letters each supporter's address has in the database."""
    return dict(
        db.session.execute(
            select(SupporterRow.email, func.count(Letter.id))
            .join(Letter, Letter.supporter_id == SupporterRow.id)
            .group_by(SupporterRow.email)
        ).all()
    )


def web_tier_setup() -> None:
    """The small directory of the tests and a live campaign to write to."""
    build_directory()
    builders_campaign()


def locked_run(
    database_url: str,
    messages: int,
    holds: tuple[float, ...] = (2.0, 10.0),
    spread: float = 15,
    web_busy_timeout_ms: int | None = None,
) -> Report:
    """T5 (SQLite): while the worker delivers `messages` (paced to take `spread` seconds) and supporters send letters
    through the web form, another writer holds the database's exclusive lock for each of `holds` seconds. The worker
    waits and carries on; a web request succeeds within the busy timeout or gets the friendly 503 (never a 500, never
    half a letter). `web_busy_timeout_ms` is how long the web tier waits for the lock (the site's setting when not
    given)."""
    path = database_url.removeprefix("sqlite:///")
    web_tier_setup()
    ids = queue_messages(messages)
    busy = {} if web_busy_timeout_ms is None else {"SQLITE_BUSY_TIMEOUT_MS": web_busy_timeout_ms}
    supporters = Supporters(database_url, **busy)
    with SinkServer() as server:
        started = time.monotonic()
        worker = start_worker(worker_environment(database_url, server.port, OUTBOX_RATE=messages / spread))
        done = threading.Event()
        web = supporters.keep_sending(done, "steun")
        for n, seconds in enumerate(holds, 1):
            wait_until(lambda n=n: len(server.sink.delivered) >= messages * n / (len(holds) + 1), 300)
            holder = threading.Thread(target=lock_holder(path, seconds))
            holder.start()
            holder.join()
        time.sleep(1)
        done.set()
        web.join()
        supporters.try_again()
        finished = wait_until(all_sent, 300)
        stop(worker)
        assert finished, "not everything was delivered after the locks"
        db.session.rollback()
        everything = db.session.scalars(select(OutboxMessage.message_id)).all()
        result = report(server, everything, started)
    lost, result.broken, result.details = supporters.check()
    result.lost += lost
    result.details = f"{len(ids)} queued before, locks of {' s and '.join(f'{s:g}' for s in holds)} s; " + (
        result.details
    )
    return result


def disk_full_run(database_url: str, letters: int) -> Report:
    """The web tier with the disk full (SQLite's own "database or disk is full", from the next page on) for the
    middle third of `letters` supporters: each of them is told to try again and nothing is half-written; once there
    is room they send again and every letter is there."""
    web_tier_setup()
    supporters = Supporters(database_url)
    with supporters.app.app_context():
        engine = db.engine
    started = time.monotonic()
    no_room = None
    for n in range(letters):
        if n == letters // 3:
            pages = db.session.execute(db.text("PRAGMA page_count")).scalar()

            def no_room(dbapi_connection, _record, pages=pages) -> None:
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

            engine.dispose()
            event.listen(engine, "connect", no_room)
        if n == 2 * letters // 3:
            event.remove(engine, "connect", no_room)
            engine.dispose()
        supporters.send(f"steun{n}@example.org")
    refused = len(supporters.refused)
    supporters.try_again()
    lost, broken, summary = supporters.check()
    return Outcome(
        lost=lost,
        seconds=time.monotonic() - started,
        details=f"{letters} supporters, {refused} told to try again while the disk was full; {summary}",
        broken=broken,
    )


def sync_outage_run(history: int, outages: int, after: int = 15) -> Outcome:
    """The SyncFeed going down (HTTP 503 to everything) `after` requests into each of `outages` syncs in a row, each
    failed sync followed by the next as the timer would, until one gets through. The directory is left as it was by
    every failed sync; at the end every entity the feed published is in the mirror, and the directory is the one a
    clean sync of the same feed gives, member for member."""

    def sync(feed: Feed) -> None:
        client = lambda: Client(feed.base_url, timeout=10, attempts=3, backoff=0.05, sleep=lambda _s: None)  # noqa: E731
        run_sync(feed.base_url, client_factory=client, today=date.today())

    def directory() -> str:
        return export.to_json(queries.find_members(queries.MemberFilter()))

    started = time.monotonic()
    broken = []
    with serve(Feed(page_size=250)) as feed:
        large_house(feed, history)
        published = {xml.split(' id="', 1)[1][:36] for entries in feed.entries.values() for _token, xml in entries}
        for _ in range(outages):
            feed.down_after = len(feed.requests) + after
            try:
                sync(feed)
                broken.append("a sync went through while the feed was down")
            except SyncFeedError:
                pass
            if db.session.scalar(select(func.count()).select_from(Member)):
                broken.append("a failed sync changed the directory")
        feed.down_after = None
        before_last = len(feed.requests)
        sync(feed)
        requests = len(feed.requests)
        stored = Counter(db.session.scalars(select(TkEntity.tk_id)))
        ours = directory()
        with tempfile.TemporaryDirectory() as folder:
            clean = make_app(f"sqlite:///{folder}/clean.sqlite")
            with clean.app_context():
                db.create_all()
                sync(feed)
                reference = directory()
                db.engine.dispose()
        clean_requests = len(feed.requests) - requests
    members = len(json.loads(ours))
    if ours != reference:
        broken.append("the directory differs from a clean sync's")
    return Outcome.counted(
        published,
        stored,
        seconds=time.monotonic() - started,
        details=(
            f"{len(published)} entities published, {outages} syncs cut off {after} requests in, then one through; "
            f"{requests} requests in all, {requests - before_last} by the last sync (a clean sync: {clean_requests}); "
            f"{members} members, "
            f"{'the same as' if ours == reference else 'NOT the same as'} a clean sync's directory"
        ),
        broken=broken,
    )


def answer(n: int) -> bytes:
    """An MP's answer as it sits in the campaign's mailbox."""
    return (
        f"From: Lid {n} <lid{n}@tweedekamer.example>\r\nTo: Campagne <antwoorden@outreach.example>\r\n"
        f"Subject: Re: Brief {n}\r\nMessage-ID: <antwoord-{n}@tweedekamer.example>\r\n"
        f"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Geachte heer, mevrouw,\r\n\r\nDank voor uw brief. " + "Wij hebben kennisgenomen van uw verzoek. " * 30
    ).encode()


def imap_drop_run(messages: int, limit: int) -> Outcome:
    """`messages` answers wait in the mailbox and the line drops after `limit` bytes of every connection; fetching
    again (as the worker does every few minutes) until the mailbox is empty stores each message exactly once, and each
    drop is reported as a lost connection."""
    started = time.monotonic()
    broken = []
    with imap_server() as imap:
        imap.append(*(answer(n) for n in range(messages)))
        proxy = DroppingProxy(imap.port, limit)
        current_app.config.update(imap.config(IMAP_PORT=proxy.port))
        runner = current_app.test_cli_runner()
        fetches = drops = 0
        fetching = time.monotonic()
        while imap.uids("INBOX") and fetches < messages:
            result = runner.invoke(args=["replies", "fetch"])
            fetches += 1
            drops += result.exit_code != 0
            if result.exit_code and "IMAP connection lost" not in result.output:
                broken.append(f"a fetch failed without saying why: {result.output.strip()[-200:]}")
        fetching = time.monotonic() - fetching
        proxy.close()
        left = len(imap.uids("INBOX"))
    stored = Counter(db.session.scalars(select(Reply.subject)))
    wanted = {f"Re: Brief {n}" for n in range(messages)}
    if left:
        broken.append(f"{left} messages were never fetched")
    return Outcome.counted(
        wanted,
        stored,
        seconds=time.monotonic() - started,
        details=(
            f"{messages} answers in the mailbox, the line cut after {limit // 1000} kB of every connection "
            f"({proxy.cuts} cuts); {fetches} fetches in {fetching:.1f} s, {drops} of them ended by the drop; "
            f"{sum(stored.values())} stored, {left} left in the inbox"
        ),
        broken=broken,
    )
