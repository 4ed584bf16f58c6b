"""Directory sync benchmark: a full and a no-change sync of a large constructed SyncFeed served over loopback HTTP.

Reports wall time and requests per sync, the parser's throughput against a bare xml.etree parse of the same pages,
and peak Python memory (tracemalloc) for two feed sizes, to show what grows with the feed and what does not.

    .venv/bin/python bench/sync_bench.py [--history 3000] [--database-url URL]
"""

import argparse
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outreach import create_app
from outreach.directory import mirror
from outreach.directory.derive import derive
from outreach.directory.models import SyncRun
from outreach.directory.sync import apply, fetch_all, run_sync
from outreach.directory.syncfeed import CATEGORIES, Client, parse_page
from outreach.extensions import db
from tests.tkfeed import Feed, large_house, serve

TODAY = date(2026, 11, 24)


def entries(feed: Feed) -> int:
    return sum(len(v) for v in feed.entries.values())


def all_pages(feed: Feed) -> list[bytes]:
    pages = []
    for category in CATEGORIES:
        token = None
        while True:
            body = feed.page(category, token)
            parsed = parse_page(body, "x")
            pages.append(body)
            if not parsed.entries:
                break
            token = int(parsed.entries[-1].next_url.rsplit("=", 1)[1])
    return pages


def timed_sync(app, feed: Feed) -> tuple[float, int, str]:
    with app.app_context():
        start = time.perf_counter()
        run = run_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, timeout=60), today=TODAY)
        return time.perf_counter() - start, run.requests, run.summary


def phase_peaks(app, feed: Feed) -> tuple[int, int]:
    """Peak traced memory while mirroring the feed, and while deriving and applying the directory."""
    with app.app_context():
        tracemalloc.start()
        fetch_all(lambda: Client(feed.base_url, timeout=60), lambda *_: None, workers=3)
        fetching = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        apply(derive(mirror.load, TODAY), SyncRun(started_at=datetime.now(), url=feed.base_url), TODAY)
        deriving = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.rollback()
        return fetching, deriving


def fresh_app(database_url: str):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=3000, help="former members in the feed")
    parser.add_argument("--database-url", default="sqlite:////tmp/outreach-sync-bench.sqlite")
    args = parser.parse_args()
    Path("/tmp/outreach-sync-bench.sqlite").unlink(missing_ok=True)

    with serve(Feed(page_size=250)) as feed:
        large_house(feed, args.history)
        app = fresh_app(args.database_url)
        full = timed_sync(app, feed)
        again = timed_sync(app, feed)
        print(f"feed: {entries(feed)} entries, page size 250, database {args.database_url.split(':')[0]}")
        print(f"full sync:      {full[0]:6.2f} s, {full[1]:4d} requests  -> {full[2]}")
        print(f"no-change sync: {again[0]:6.2f} s, {again[1]:4d} requests  -> {again[2]}")

        pages = all_pages(feed)
        size = sum(map(len, pages))
        start = time.perf_counter()
        for body in pages:
            parse_page(body, "x")
        ours = time.perf_counter() - start
        start = time.perf_counter()
        for body in pages:
            for _ in ET.fromstring(body).iter():
                pass
        bare = time.perf_counter() - start
        print(
            f"parse: {len(pages)} pages, {size / 1e6:.1f} MB; parse_page {size / ours / 1e6:.1f} MB/s, "
            f"bare xml.etree {size / bare / 1e6:.1f} MB/s (ratio {ours / bare:.2f})"
        )

    for history in (args.history // 4, args.history // 2, args.history):
        with serve(Feed(page_size=250)) as feed:
            large_house(feed, history)
            app = fresh_app(args.database_url)
            fetching, deriving = phase_peaks(app, feed)
            print(
                f"peak Python memory for {entries(feed):6d} entries: fetching and storing {fetching / 1e6:5.1f} MB, "
                f"deriving the directory {deriving / 1e6:5.1f} MB"
            )
    Path("/tmp/outreach-sync-bench.sqlite").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
