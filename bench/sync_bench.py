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
from tests.tkfeed import Feed, House, serve

TODAY = date(2026, 11, 24)
PARTIES = [
    ("vvd", "VVD", 22),
    ("d66", "D66", 26),
    ("pvv", "PVV", 26),
    ("glpvda", "GL-PvdA", 20),
    ("cda", "CDA", 18),
    ("ja21", "JA21", 9),
    ("fvd", "FVD", 7),
    ("bbb", "BBB", 4),
    ("denk", "DENK", 3),
    ("sgp", "SGP", 3),
    ("pvdd", "PvdD", 3),
    ("cu", "CU", 3),
    ("sp", "SP", 3),
    ("50plus", "50PLUS", 2),
    ("volt", "Volt", 1),
]


def build_house(feed: Feed, history: int) -> None:
    """150 sitting members over 15 parties and 31 committees, plus `history` former members with their seats."""
    house = House(feed)
    for key, abbreviation, seats in PARTIES:
        house.party(key, abbreviation, f"Partij {abbreviation}", str(seats))
    for c in range(31):
        house.committee(f"cie{c}", f"C{c}", f"vaste commissie nummer {c}")
    n = 0
    for key, _abbreviation, seats in PARTIES:
        for _ in range(seats):
            person = f"mp{n}"
            house.person(
                person,
                str(10_000 + n),
                f"Voornaam{n}",
                "van" if n % 5 == 0 else None,
                f"Achternaam{n}",
                "vrouw" if n % 2 else "man",
            )
            house.party_seat(f"s-{person}", person, key, "2025-11-12")
            house.contact(f"c-{person}", person, "E-mail", f"mp{n}@tweedekamer.nl", "1")
            for k in range(3):
                house.committee_seat(
                    f"cz-{person}-{k}", person, f"cie{(n + 7 * k) % 31}", "Voorzitter" if n < 31 and k == 0 else "Lid"
                )
            house.committee_seat(f"czv-{person}", person, f"cie{(n + 3) % 31}", "Plv. lid", substitute=True)
            n += 1
    for h in range(history):
        person = f"old{h}"
        house.person(person, str(50_000 + h), f"Oud{h}", None, f"Kamerlid{h}", "man", function="Oud Kamerlid")
        house.party_seat(f"s-{person}", person, PARTIES[h % 15][0], "2002-05-23", "2010-10-11")
        house.contact(f"c-{person}", person, "E-mail", f"old{h}@tweedekamer.nl", "1")
        house.committee_seat(f"cz-{person}", person, f"cie{h % 31}", "Lid", start="2003-01-01", end="2010-10-11")


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
        build_house(feed, args.history)
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
            build_house(feed, history)
            app = fresh_app(args.database_url)
            fetching, deriving = phase_peaks(app, feed)
            print(
                f"peak Python memory for {entries(feed):6d} entries: fetching and storing {fetching / 1e6:5.1f} MB, "
                f"deriving the directory {deriving / 1e6:5.1f} MB"
            )
    Path("/tmp/outreach-sync-bench.sqlite").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
