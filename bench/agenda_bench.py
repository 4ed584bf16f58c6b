"""Agenda sync benchmark: a first (bounded) and a no-change sync of a constructed feed of the House's real volumes.

The feed holds `--years` of history before the window of AGENDA_SYNC_MONTHS (24) months, with yearly volumes in the
order of the real feed's (votes: one row per party per decision). Entries are generated on request, so the feed
costs no memory. Reports requests, wall time, peak resident memory and database size, and as a baseline measured in
the same run, the time to fetch and parse the same pages without storing them.

    .venv/bin/python bench/agenda_bench.py [--years 6] [--scale 1.0] [--database-url URL]
"""

import argparse
import bisect
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_bench import fresh_app
from outreach.agenda.mirror import CATEGORIES
from outreach.agenda.start import locate_start
from outreach.agenda.sync import months_back, run_agenda_sync
from outreach.directory.sync import fetch_all
from outreach.directory.syncfeed import Client
from outreach.extensions import db
from tests.tkfeed import Feed, entity_xml, serve

NOW = datetime(2026, 12, 1, 12, 0)
# Changes per year, in the order of the Kamer's feed for 2023-2025 (every new version of an entity is a change).
YEARLY = {
    "Activiteit": 16_000,
    "ActiviteitActor": 40_000,
    "Agendapunt": 30_000,
    "Zaak": 30_000,
    "ZaakActor": 35_000,
    "Besluit": 35_000,
    "Stemming": 70_000,
    "Kamerstukdossier": 2_000,
    "Document": 60_000,  # every kind of document; one in five an answer or a postponement notice, the rest not kept
}
DOCUMENT_KINDS = (
    "Antwoord schriftelijke vragen",
    "Brief regering",
    "Motie",
    "Verslag",
    "Amendement",
    "Mededeling uitstel antwoord",
    "Schriftelijke vragen",
    "Brief commissie",
    "Nota van wijziging",
    "Advies Raad van State",
)
SUBJECT = "Geannoteerde agenda van de Raad Buitenlandse Zaken over de Zuidelijke Kaukasus en Azerbeidzjan"


def entity(category: str, i: int, updated: str) -> str:
    """A realistic entity of `category`: the fields the real feed carries, at their usual lengths."""
    tag = category[0].lower() + category[1:]
    key = f"{category}-{i // 2}"  # about two versions of each entity
    fields: dict[str, str | None] = {
        "Activiteit": {
            "soort": "Commissiedebat",
            "nummer": f"2025A{i:05d}",
            "onderwerp": SUBJECT,
            "datumSoort": "Dag",
            "datum": "2025-03-05T00:00:00+01:00",
            "aanvangstijd": "2025-03-05T14:00:00+01:00",
            "eindtijd": "2025-03-05T17:00:00+01:00",
            "locatie": "Thorbeckezaal",
            "besloten": "false",
            "status": "Gepland",
            "kamer": "Tweede Kamer",
            "noot": None,
            "voortouwnaam": "Buitenlandse Zaken",
            "voortouwafkorting": "BuZa",
        },
        "ActiviteitActor": {
            "actorNaam": "A.B. de Vries",
            "actorFractie": "GroenLinks-PvdA",
            "relatie": "Deelnemer",
            "volgorde": "3",
            "functie": "Woordvoerder",
            "spreektijd": "4 minuten",
        },
        "Agendapunt": {"nummer": "3", "onderwerp": SUBJECT, "volgorde": "3", "rubriek": None, "status": "Vrijgegeven"},
        "Zaak": {
            "nummer": f"2025Z{i:05d}",
            "soort": "Motie",
            "onderwerp": "Motie van het lid De Vries over " + SUBJECT,
            "gestartOp": "2025-03-05T10:00:00+01:00",
            "titel": SUBJECT,
            "status": "Vrijgegeven",
            "vergaderjaar": "2024-2025",
            "afgedaan": "false",
        },
        "ZaakActor": {
            "actorNaam": "A.B. de Vries",
            "actorFractie": "GroenLinks-PvdA",
            "actorAfkorting": "GL-PvdA",
            "functie": "Tweede Kamerlid",
            "relatie": "Indiener",
        },
        "Besluit": {
            "stemmingsSoort": "Met handopsteken",
            "besluitSoort": "Stemmen - aangenomen",
            "besluitTekst": "Aangenomen.",
            "opmerking": None,
            "status": "Besluit",
        },
        "Stemming": {
            "soort": "Voor",
            "fractieGrootte": "24",
            "actorNaam": "GroenLinks-PvdA",
            "actorFractie": "GroenLinks-PvdA",
            "vergissing": "false",
        },
        "Kamerstukdossier": {"titel": SUBJECT, "nummer": str(30000 + i), "toevoeging": "V", "hoogsteVolgnummer": "12"},
        "Document": {
            "soort": DOCUMENT_KINDS[i % len(DOCUMENT_KINDS)],
            "documentNummer": f"2025D{i:05d}",
            "titel": None,
            "onderwerp": "Antwoord op vragen van het lid De Vries over " + SUBJECT,
            "datum": "2025-03-05T00:00:00+01:00",
            "volgnummer": "1",
            "vergaderjaar": "2024-2025",
            "kamer": "2",
            "organisatie": "Tweede Kamer der Staten-Generaal",
        },
    }[category]
    refs = {
        "Activiteit": {"voortouwcommissie": "buza"},
        "ActiviteitActor": {"activiteit": f"a{i}", "persoon": "p"},
        "Agendapunt": {"activiteit": f"a{i}"},
        "Zaak": {"agendapunt": f"ap{i}"},
        "ZaakActor": {"zaak": f"z{i}", "persoon": "p"},
        "Besluit": {"agendapunt": f"ap{i}", "zaak": f"z{i}"},
        "Stemming": {"besluit": f"b{i}", "fractie": "glpvda"},
        "Kamerstukdossier": {},
        "Document": {"zaak": f"z{i}"},
    }[category]
    return entity_xml(tag, key, fields, refs, updated=updated)


class GeneratedFeed(Feed):
    """The feed of `years` years, its entries made when a page asks for them; tokens are one global sequence."""

    def __init__(self, years: float, scale: float) -> None:
        super().__init__(page_size=250)
        self.start = NOW - timedelta(days=365.25 * years)
        self.span = (NOW - self.start).total_seconds()
        self.counts = {c: int(YEARLY[c] * years * scale) for c in CATEGORIES}
        self.total = sum(self.counts.values())

    def token_of(self, category: str, i: int) -> int:
        stride = len(CATEGORIES)
        return self.token_base + stride * (i * self.total // self.counts[category]) + CATEGORIES.index(category)

    token_base = 16_000_000

    def entries_after(self, category: str, skiptoken: int | None) -> list[tuple[int, str]]:
        n = self.counts[category]
        first = (
            0
            if skiptoken is None
            else bisect.bisect_right(range(n), skiptoken, key=lambda i: self.token_of(category, i))
        )
        out = []
        for i in range(first, min(n, first + self.page_size + 1)):
            moment = self.start + timedelta(seconds=self.span * i / n)
            out.append((self.token_of(category, i), entity(category, i, moment.replace(tzinfo=UTC).isoformat())))
        return out


def timed_sync(app, feed: Feed) -> tuple[float, int, int]:
    with app.app_context():
        start = time.perf_counter()
        result = run_agenda_sync(feed.base_url, client_factory=lambda: Client(feed.base_url, timeout=120), now=NOW)
        return time.perf_counter() - start, result.requests, result.changed


def fetch_only(app, feed: Feed) -> tuple[float, int, int]:
    """The baseline: the same fetcher, start points and pages (three categories at a time), storing nothing."""
    with app.app_context():
        since = months_back(NOW, int(app.config["AGENDA_SYNC_MONTHS"]))
        start = time.perf_counter()
        made, _ = fetch_all(
            lambda: Client(feed.base_url, timeout=120),
            lambda *_: None,
            3,
            categories=CATEGORIES,
            store=lambda _category, page, _url: len(page.entries),
            locate=lambda client, category: locate_start(client, category, since),
        )
        db.session.rollback()
        return time.perf_counter() - start, made, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=8.0, help="years of changes in the feed (window included)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the yearly volumes")
    parser.add_argument("--database-url", default="sqlite:////tmp/outreach-agenda-bench.sqlite")
    args = parser.parse_args()
    path = Path("/tmp/outreach-agenda-bench.sqlite")
    path.unlink(missing_ok=True)
    feed = GeneratedFeed(args.years, args.scale)
    with serve(feed):
        app = fresh_app(args.database_url)
        months = app.config["AGENDA_SYNC_MONTHS"]
        window = sum(int(c * min(1.0, months / 12 / args.years)) for c in feed.counts.values())
        print(f"feed: {feed.total} changes over {args.years} years, {window} in the last {months} months")
        base = fetch_only(app, feed)
        print(f"baseline, fetch and parse only: {base[0]:7.1f} s, {base[1]:5d} requests")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        first = timed_sync(app, feed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"first sync:     {first[0]:7.1f} s, {first[1]:5d} requests, {first[2]} entities stored "
            f"({first[0] / base[0]:.2f}x the baseline)"
        )
        print(f"peak resident memory: {peak / 1024:.0f} MB (before the sync {rss / 1024:.0f} MB)")
        unbounded = sum(-(-n // 250) + 1 for n in feed.counts.values())
        print(f"an unbounded first sync would take {unbounded} requests")
        again = timed_sync(app, feed)
        print(f"no-change sync: {again[0]:7.2f} s, {again[1]:5d} requests, {again[2]} changed")
        files = [f for f in (path, Path(f"{path}-wal")) if f.exists()]
        if files:
            print(f"database: {sum(os.path.getsize(f) for f in files) / 1e6:.1f} MB (with its write-ahead log)")
    path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
