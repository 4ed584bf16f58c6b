"""Where a first agenda sync starts: the point in each category where the changes of the last months begin.

The feed holds every change since long ago, oldest first, numbered by one global skiptoken sequence. Instead of
reading years of votes, the first sync probes single pages: it steps forward from the first page with a doubling
stride until it passes the moment wanted, then halves the interval until it holds one token. A few dozen requests
per category instead of thousands. Versions are published roughly in order of their `bijgewerkt` time, so the
point found is where that time first reaches the moment; an old entity republished later is read then as well.
"""

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from outreach.directory.mirror import parse_timestamp
from outreach.directory.syncfeed import Client, Entry, Page, first_page_url

FIRST_STRIDE = 1024


def _token(entry: Entry) -> int:
    values = parse_qs(urlsplit(entry.next_url or "").query).get("skiptoken", ["0"])
    return int(values[0]) if values[0].isascii() and values[0].isdigit() else 0


def _recent(entry: Entry, since: datetime) -> bool:
    updated = parse_timestamp(entry.entity.updated)
    return updated is None or updated >= since


def _cut(page: Page, since: datetime) -> str | None:
    """The cursor just before the page's first recent entry, when the page holds the boundary."""
    for before, entry in zip(page.entries, page.entries[1:], strict=False):
        if not _recent(before, since) and _recent(entry, since):
            return before.next_url
    return None


def _url_at(client: Client, category: str, token: int) -> str:
    return f"{first_page_url(client.base_url, category)}&skiptoken={token}"


def locate_start(client: Client, category: str, since: datetime) -> str | None:
    """The cursor where `category`'s changes since `since` begin; None when the whole feed is that recent."""
    page = client.page_at(category, None)
    if not page.entries or _recent(page.entries[0], since):
        return None
    if cut := _cut(page, since):
        return cut
    low, high, stride = _token(page.entries[-1]), None, FIRST_STRIDE
    while high is None:  # everything up to `low` is older than `since`
        probe = low + stride
        page = client.page_at(category, probe)
        if not page.entries or _recent(page.entries[0], since):
            high = probe
        elif cut := _cut(page, since):
            return cut
        else:
            low, stride = _token(page.entries[-1]), stride * 2
    while high - low > 1:
        middle = (low + high) // 2
        page = client.page_at(category, middle)
        if not page.entries or _recent(page.entries[0], since):
            high = middle
        elif cut := _cut(page, since):
            return cut
        else:
            low = min(max(_token(page.entries[-1]), middle), high - 1)
    return _url_at(client, category, low)
