"""The public directory pages, rendered once and reused for anonymous visitors until the directory changes.

Rendering the 150 members with their parties and committee seats is the most expensive public page (about 20 ms);
the directory changes a few times a day (a sync, an organiser's correction). A page is reused while the
directory's version (one cheap query) is the same, for at most CACHE_SECONDS, per process. Organisers, and anyone
with a message waiting on the page, always get a fresh one."""

import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from outreach.directory.models import CommitteeSeat, Member, MemberOverride, Party, SyncRun
from outreach.extensions import db

PAGES = "outreach.directory_pages"
SIZE = 200  # pages kept per process (each a few tens of kilobytes)


def version() -> tuple:
    """Changes whenever anything the directory pages show changes (members, corrections, seats, parties, syncs)."""
    row = db.session.execute(
        select(
            func.count(Member.id),
            func.max(Member.updated_at),
            select(func.max(MemberOverride.updated_at)).scalar_subquery(),
            select(func.count(CommitteeSeat.id)).scalar_subquery(),
            select(func.max(CommitteeSeat.id)).scalar_subquery(),
            select(func.count(Party.id)).scalar_subquery(),
            select(func.max(SyncRun.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def cached(render: Callable[[], str]) -> str:
    """`render()`'s page, or the same page rendered before for the same address, language and directory."""
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    pages: OrderedDict = current_app.extensions.setdefault(PAGES, OrderedDict())
    key = (request.full_path, str(get_locale()), version())
    found = pages.get(key)
    now = time.monotonic()
    if found is not None and now - found[0] < current_app.config["DIRECTORY_CACHE_SECONDS"]:
        pages.move_to_end(key)
        return found[1]
    page = render()
    pages[key] = (now, page)
    while len(pages) > SIZE:
        pages.popitem(last=False)
    return page
