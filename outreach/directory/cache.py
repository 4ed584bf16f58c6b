"""The public directory pages, rendered once and reused for anonymous visitors until the directory changes.

Rendering the 150 members with their parties and committee seats is the most expensive public page (about 20 ms);
the directory changes a few times a day (a sync, an organiser's correction). A page is reused while the
directory's version (one cheap query) is the same, for at most CACHE_SECONDS, per process. Organisers, and anyone
with a message waiting on the page, always get a fresh one."""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import Select, func, select

from outreach.directory.models import (
    CommitteeOverride,
    CommitteeSeat,
    ExtraTarget,
    Member,
    MemberOverride,
    Party,
    SyncRun,
)
from outreach.extensions import db

PAGES = "outreach.directory_pages"
SIZE = 200  # pages kept per process (each a few tens of kilobytes)


@cache
def _version_statement() -> Select:
    # Built once per process: building this statement cost as much as the query itself on a cached page.
    return select(
        func.count(Member.id),
        func.max(Member.updated_at),
        select(func.max(MemberOverride.updated_at)).scalar_subquery(),
        select(func.count(CommitteeSeat.id)).scalar_subquery(),
        select(func.max(CommitteeSeat.id)).scalar_subquery(),
        select(func.count(Party.id)).scalar_subquery(),
        select(func.max(SyncRun.id)).scalar_subquery(),
        select(func.max(CommitteeOverride.updated_at)).scalar_subquery(),
        select(func.count(CommitteeOverride.id)).scalar_subquery(),
        select(func.count(ExtraTarget.id)).where(ExtraTarget.active.is_(True)).scalar_subquery(),
    )


def version() -> tuple:
    """Changes whenever anything the directory pages show changes (members, corrections, seats, parties, syncs,
    committees' own addresses, extra addresses added or switched off); asked once per request."""
    # Kept on the request, not on `g`: an application context (and its `g`) can outlive many requests.
    found = getattr(request, "directory_version", None)
    if found is None:
        found = request.directory_version = tuple(db.session.connection().execute(_version_statement()).one())  # type: ignore[attr-defined]
    return found


def cached[Page](
    render: Callable[[], Page], key: tuple[Hashable, ...] = (), keep: Callable[[Page], bool] = lambda _page: True
) -> Page:
    """`render()`'s page, or the same page rendered before for the same address, language, directory and `key`
    (what else the page shows). Only pages `keep` accepts are kept (an error page is always rendered afresh)."""
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    pages: OrderedDict = current_app.extensions.setdefault(PAGES, OrderedDict())
    key = (request.full_path, str(get_locale()), version(), *key)
    found = pages.get(key)
    now = time.monotonic()
    if found is not None and now - found[0] < current_app.config["DIRECTORY_CACHE_SECONDS"]:
        pages.move_to_end(key)
        return found[1]
    page = render()
    if not keep(page):
        return page
    pages[key] = (now, page)
    while len(pages) > SIZE:
        pages.popitem(last=False)
    return page
