"""Outbox fault runs at full size (T1, T2 of the reliability requirements, and parallel workers on PostgreSQL):
real `flask outbox work` processes against a loopback SMTP sink; each line says what was lost (must be 0).

    .venv/bin/python bench/outbox_faults.py [--postgres postgresql://postgres@127.0.0.1/test]
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
from tests.outbox_faults import Report, kill_run, outage_run, parallel_run


def run(name: str, url: str, fault: Callable[[str], Report]) -> None:
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        report = fault(url)
        ok = report.lost == 0 and report.unknown == 0 and report.duplicates <= report.kills
        print(f"| {name} | {report.line()} | {'pass' if ok else 'FAIL'} |", flush=True)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run the PostgreSQL faults against")
    args = parser.parse_args()
    runs: list[tuple[str, Callable[[str], Report]]] = [
        ("T1 20 kills", lambda url: kill_run(url, messages=1000, kills=20)),
        ("T1 50 kills", lambda url: kill_run(url, messages=1000, kills=50, seed=2)),
        ("T2 3 s of 451", lambda url: outage_run(url, messages=1000, outage_seconds=3)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for name, fault in runs:
            run(f"SQLite, {name}", f"sqlite:///{folder}/{len(name)}.sqlite", fault)
    if args.postgres:
        runs.append(("3 workers, 3,000 messages", lambda url: parallel_run(url, messages=3000, workers=3)))
        for name, fault in runs:
            url, drop = postgres_database(args.postgres)
            try:
                run(f"PostgreSQL, {name}", url, fault)
            finally:
                drop()


if __name__ == "__main__":
    main()
