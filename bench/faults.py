"""Fault runs at full size, each printing what was lost (must be 0) and what was duplicated (only by a kill, and then
with the same Message-ID): T1-T5 of the reliability requirements with real `flask outbox work` processes and a
loopback SMTP sink, the web tier with its database locked or its disk full, the SyncFeed going down mid-sync and the
IMAP line dropping mid-fetch. The same runs, smaller, are in the test suite (tests/faults.py).

    .venv/bin/python bench/faults.py [--postgres postgresql://postgres@127.0.0.1/test] [--only T3] [--slow]
"""

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.outbox_bench import postgres_database
from outreach import create_app
from outreach.extensions import db
from tests.faults import (
    Outcome,
    disk_full_run,
    hung_run,
    imap_drop_run,
    kill_run,
    locked_run,
    outage_run,
    parallel_run,
    refusal_run,
    sync_outage_run,
)

Fault = Callable[[str], Outcome]
BOTH: list[tuple[str, Fault]] = [
    ("T1 20 kills", lambda url: kill_run(url, messages=1000, kills=20)),
    ("T1 50 kills", lambda url: kill_run(url, messages=1000, kills=50, seed=2)),
    ("T2 3 s of 451", lambda url: outage_run(url, messages=1000, outage_seconds=3)),
    ("T3 550 for 5 %, 552 for 1 %", lambda url: refusal_run(url, messages=1000)),
    ("T4 server hung for 30 s", lambda url: hung_run(url, messages=1000, hang_seconds=30)),
    ("SyncFeed down mid-sync, 4 times", lambda _url: sync_outage_run(history=3000, outages=4)),
]
SQLITE_ONLY: list[tuple[str, Fault]] = [
    ("T5 locked 2 s and 10 s", lambda url: locked_run(url, messages=1000)),
    ("web tier, disk full", lambda url: disk_full_run(url, letters=300)),
    ("IMAP line dropped mid-fetch", lambda _url: imap_drop_run(messages=1000, limit=150_000)),
]
POSTGRES_ONLY: list[tuple[str, Fault]] = [
    ("3 workers, 3,000 messages", lambda url: parallel_run(url, messages=3000, workers=3)),
]
SLOW: list[tuple[str, Fault]] = [
    ("T2 5 min of 451", lambda url: outage_run(url, messages=1000, outage_seconds=300, retry_max=30)),
]


def run(name: str, url: str, fault: Fault) -> bool:
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        outcome = fault(url)
        print(f"| {name} | {outcome.line()} | {'pass' if outcome.ok else 'FAIL: ' + '; '.join(outcome.broken)} |")
        db.session.remove()
        db.engine.dispose()
    return outcome.ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run the runs on PostgreSQL as well")
    parser.add_argument("--only", help="only the runs whose name contains this")
    parser.add_argument("--slow", action="store_true", help="add T2's slow variant (5 minutes of 451)")
    args = parser.parse_args()
    slow = SLOW if args.slow else []
    plans = [("SQLite", BOTH + SQLITE_ONLY + slow)]
    if args.postgres:
        plans.append(("PostgreSQL", BOTH + POSTGRES_ONLY + slow))
    print("| run | result | verdict |\n|---|---|---|", flush=True)
    passed = True
    with tempfile.TemporaryDirectory() as folder:
        for backend, runs in plans:
            for n, (name, fault) in enumerate(runs):
                if args.only and args.only not in name:
                    continue
                if backend == "SQLite":
                    passed &= run(f"{backend}, {name}", f"sqlite:///{folder}/{n}.sqlite", fault)
                    continue
                url, drop = postgres_database(args.postgres)
                try:
                    passed &= run(f"{backend}, {name}", url, fault)
                finally:
                    drop()
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
