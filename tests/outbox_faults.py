"""Fault runs shared by the test suite (small sizes) and bench/outbox_faults.py (full sizes): real worker processes
(`flask outbox work`) against a real SMTP sink, killed, starved or refused on purpose; each returns what was lost."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.models import NOTICE, DeliveryAttempt, OutboxMessage
from tests.smtpserver import SinkServer

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Report:
    """What a fault run delivered: the promise is lost == 0 and duplicates <= kills, each with the same Message-ID."""

    queued: int
    distinct_delivered: int
    deliveries: int
    lost: int
    duplicates: int
    unknown: int  # Message-IDs the sink saw that no row has (must be 0)
    kills: int = 0
    attempts: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.queued} queued, {self.deliveries} deliveries, {self.distinct_delivered} distinct, "
            f"lost {self.lost}, duplicates {self.duplicates}, kills {self.kills}, "
            f"attempts logged {self.attempts}, {self.seconds:.1f} s"
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


def outage_run(database_url: str, messages: int, outage_seconds: float, timeout: float = 300) -> Report:
    """T2: the server answers 451 to everything for `outage_seconds` once a fifth of the batch is delivered."""
    ids = queue_messages(messages)
    with SinkServer() as server:
        environment = worker_environment(
            database_url, server.port, OUTBOX_RETRY_BASE="0.2", OUTBOX_RETRY_MAX="1", OUTBOX_BREAKER_FAILURES="1000"
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
