"""The directory sync: mirror the SyncFeed page by page, then derive the current directory and record what changed.

Fetching runs a few categories in parallel; every page is stored by this thread with its cursor in one
transaction. The directory tables change only after every category is caught up, in one transaction, so a sync that
fails leaves the directory as it was, and the next one resumes from the stored cursors.
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.database import begin_write, utcnow
from outreach.directory import mirror
from outreach.directory.demo import remove_demo
from outreach.directory.derive import Directory, derive
from outreach.directory.models import (
    SOURCE_TK,
    Committee,
    CommitteeSeat,
    DirectoryChange,
    Member,
    Party,
    SyncRun,
)
from outreach.directory.syncfeed import CATEGORIES, Client, Page
from outreach.extensions import db

Progress = Callable[[str, int, int, bool], None]  # category, pages, entities, done


def default_client(base_url: str) -> Client:
    config = current_app.config
    return Client(
        base_url,
        timeout=float(config["TK_SYNC_TIMEOUT"]),
        attempts=int(config["TK_SYNC_ATTEMPTS"]),
        backoff=float(config["TK_SYNC_BACKOFF"]),
    )


def run_sync(
    base_url: str,
    *,
    run: SyncRun | None = None,
    client_factory: Callable[[], Client] | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    workers: int = 3,
) -> SyncRun:
    """Bring the mirror up to date, then the directory; returns the finished run (failed runs raise)."""
    run = run or new_run(base_url)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def client_in_app() -> Client:
        with app.app_context():
            return default_client(base_url)

    factory = client_factory or client_in_app
    try:
        run.requests, run.entities_changed = fetch_all(factory, progress or (lambda *_: None), workers)
        begin_write()
        today = today or date.today()
        apply(derive(mirror.load, today), run, today)
        run.status, run.finished_at = "succeeded", utcnow()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        begin_write()
        run = db.session.get(SyncRun, run.id) or run
        run.status, run.finished_at, run.error = "failed", utcnow(), str(error)[:2000]
        db.session.commit()
        raise
    return run


@dataclass
class _Message:
    category: str
    url: str = ""
    page: Page | None = None
    requests: int = 0
    error: BaseException | None = None
    done: bool = False


StorePage = Callable[[str, Page, str], int]  # category, page, its url -> entities changed
Locate = Callable[[Client, str], str | None]  # where a category never synced before starts (None: its first page)


def fetch_all(
    client_factory: Callable[[], Client],
    progress: Progress,
    workers: int,
    categories: tuple[str, ...] = CATEGORIES,
    store: StorePage = mirror.store_page,
    locate: Locate | None = None,
) -> tuple[int, int]:
    """Mirror every category until caught up; returns (requests made, entities changed)."""
    starts = mirror.cursors()
    inbox: queue.Queue[_Message] = queue.Queue(maxsize=2 * workers)
    stop = threading.Event()

    def fetch(category: str) -> None:
        client, error = None, None
        try:
            client = client_factory()
            if stop.is_set():
                return
            start = starts.get(category) or (locate(client, category) if locate else None)
            for url, page in client.pages(category, start):
                while not stop.is_set():
                    try:
                        inbox.put(_Message(category, url, page), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # reported to the storing thread, which raises it
            error = exc
        finally:
            made = client.requests_made if client else 0
            inbox.put(_Message(category, requests=made, error=error, done=True))

    requests = changed = 0
    counts = {category: [0, 0] for category in categories}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for category in categories:
            pool.submit(fetch, category)
        remaining = set(categories)
        while remaining:
            message = inbox.get()
            if message.done:
                remaining.discard(message.category)
                requests += message.requests
                if message.error is not None and failure is None:
                    failure = message.error
                    stop.set()
                elif message.error is None:
                    begin_write()
                    progress(message.category, *counts[message.category], True)
                    db.session.commit()
                continue
            if failure is not None or message.page is None:
                continue
            begin_write()
            changed += store(message.category, message.page, message.url)
            counts[message.category][0] += 1
            counts[message.category][1] += len(message.page.entries)
            progress(message.category, *counts[message.category], False)
            db.session.commit()
    if failure is not None:
        raise failure
    return requests, changed


def _party_label(party: Party | None) -> str | None:
    return party.abbreviation if party else None


def _seat_labels(seats: list[CommitteeSeat]) -> dict[tuple[str, bool], str]:
    return {(seat.committee.abbreviation, seat.substitute): seat.role for seat in seats}


def apply(directory: Directory, run: SyncRun, today: date) -> None:
    """Make the directory tables say what `directory` says, logging each change on `run`. The caller commits."""
    remove_demo()  # the first real sync replaces the demo directory
    parties = _upsert_parties(directory)
    committees = _upsert_committees(directory, today)
    members = {
        m.tk_id: m
        for m in db.session.scalars(
            select(Member)
            .where(Member.source == SOURCE_TK)
            .options(selectinload(Member.seats).selectinload(CommitteeSeat.committee), selectinload(Member.party))
        )
    }
    changed_members: set[str] = set()

    def log(member: Member, kind: str, old: str | None = None, new: str | None = None) -> None:
        run.changes.append(DirectoryChange(member=member, member_name=member.name, kind=kind, old=old, new=new))
        if kind not in ("joined", "left"):
            changed_members.add(member.tk_id or "")

    for tk_id, derived in directory.members.items():
        member = members.get(tk_id)
        before = None
        if member is None:
            member = Member(tk_id=tk_id, source=SOURCE_TK)
            db.session.add(member)
        elif member.is_current:
            before = (member.name, _party_label(member.party), member.email, _seat_labels(member.seats))
        member.tk_number, member.titles, member.initials = derived.number, derived.titles, derived.initials
        member.given_names, member.first_name = derived.given_names, derived.first_name
        member.prefix, member.surname, member.gender = derived.prefix, derived.surname, derived.gender
        member.function, member.party_role = derived.function, derived.party_role
        member.party = parties.get(derived.party_tk_id or "")
        member.seated_since, member.email, member.is_current = derived.seated_since, derived.email, True
        _replace_seats(member, derived.seats, committees)
        if before is None:
            log(member, "joined", None, _party_label(member.party))
            continue
        after = (member.name, _party_label(member.party), member.email, _seat_labels(member.seats))
        for kind, old, new in zip(("name", "party", "email"), before[:3], after[:3], strict=True):
            if old != new:
                log(member, kind, old, new)
        for key in sorted(set(before[3]) | set(after[3])):
            old_role, new_role = before[3].get(key), after[3].get(key)
            if old_role != new_role:
                log(member, "committee", old_role and f"{key[0]}: {old_role}", new_role and f"{key[0]}: {new_role}")

    for tk_id, member in members.items():
        if member.is_current and tk_id not in directory.members:
            member.is_current = False
            member.seats = []
            log(member, "left", _party_label(member.party), None)

    run.members = len(directory.members)
    run.parties = len({m.party_tk_id for m in directory.members.values() if m.party_tk_id})
    run.committees = len(directory.committees)
    run.joined = sum(1 for c in run.changes if c.kind == "joined")
    run.left = sum(1 for c in run.changes if c.kind == "left")
    run.changed = len(changed_members)


def _upsert_parties(directory: Directory) -> dict[str, Party]:
    existing = {p.tk_id: p for p in db.session.scalars(select(Party).where(Party.tk_id.in_(list(directory.parties))))}
    for tk_id, derived in directory.parties.items():
        party = existing.get(tk_id) or Party(tk_id=tk_id, source=SOURCE_TK)
        party.tk_number, party.abbreviation, party.seats = derived.number, derived.abbreviation, derived.seats
        party.name_nl, party.name_en = derived.name_nl, derived.name_en
        party.active_from, party.active_until = derived.active_from, derived.active_until
        db.session.add(party)
        existing[tk_id] = party
    return existing


def _upsert_committees(directory: Directory, today: date) -> dict[str, Committee]:
    existing = {c.tk_id: c for c in db.session.scalars(select(Committee).where(Committee.source == SOURCE_TK))}
    for tk_id, committee in existing.items():
        if tk_id not in directory.committees and committee.active_until is None:
            committee.active_until = today
    for tk_id, derived in directory.committees.items():
        committee = existing.get(tk_id) or Committee(tk_id=tk_id, source=SOURCE_TK)
        committee.tk_number, committee.kind, committee.abbreviation = derived.number, derived.kind, derived.abbreviation
        committee.name_nl, committee.name_en = derived.name_nl, derived.name_en
        committee.active_from, committee.active_until = derived.active_from, None
        db.session.add(committee)
        existing[tk_id] = committee
    return existing


def _replace_seats(member: Member, derived_seats: list, committees: dict[str, Committee]) -> None:
    current = {(seat.committee.tk_id, seat.substitute): seat for seat in member.seats}
    wanted = {}
    for derived in derived_seats:
        key = (derived.committee_tk_id, derived.substitute)
        seat = current.get(key) or CommitteeSeat(
            committee=committees[derived.committee_tk_id], substitute=derived.substitute
        )
        seat.tk_id, seat.role, seat.since = derived.tk_id, derived.role, derived.since
        wanted[key] = seat
    member.seats = list(wanted.values())


STALE_AFTER = timedelta(hours=1)


def running_sync() -> SyncRun | None:
    """A sync started less than an hour ago that has not finished (an older one was cut off)."""
    return db.session.scalar(
        select(SyncRun).where(SyncRun.status == "running", SyncRun.started_at > utcnow() - STALE_AFTER).limit(1)
    )


def new_run(base_url: str) -> SyncRun:
    """Record that a sync from `base_url` starts now."""
    begin_write()
    run = SyncRun(started_at=utcnow(), url=base_url, status="running", progress={})
    db.session.add(run)
    db.session.commit()
    return run


def start_in_background(base_url: str) -> SyncRun:
    """Start a sync in a thread of this process and return its run, whose progress the web page shows."""
    run = new_run(base_url)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_sync_in_thread, args=(app, run.id, base_url), daemon=True)
    thread.start()
    return run


def record_progress(run: SyncRun) -> Progress:
    """A progress callback that keeps the run's per-category counts (committed with each page)."""

    def update(category: str, pages: int, entities: int, done: bool) -> None:
        run.progress = {**(run.progress or {}), category: {"pages": pages, "entities": entities, "done": done}}

    return update


def _sync_in_thread(app: Flask, run_id: int, base_url: str) -> None:
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        try:
            if run is not None:
                run_sync(base_url, run=run, progress=record_progress(run))
        except Exception:  # recorded on the run, which the sync page shows; logged for the operator too
            app.logger.exception("directory sync %s failed", run_id)
        finally:
            db.session.remove()
