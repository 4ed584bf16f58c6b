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


def _probe(client: Client, category: str, token: int, since: datetime) -> tuple[bool, str | None, int]:
    """One page past `token`: whether it begins with recent changes, the cursor when it holds the boundary, and
    the token of its last (old) entry otherwise."""
    page = client.page_at(category, token)
    if not page.entries or _recent(page.entries[0], since):
        return True, None, token
    return False, _cut(page, since), _token(page.entries[-1])


def locate_start(client: Client, category: str, since: datetime) -> str | None:
    """The cursor where `category`'s changes since `since` begin; None when the whole feed is that recent."""
    page = client.page_at(category, None)
    if not page.entries or _recent(page.entries[0], since):
        return None
    if cut := _cut(page, since):
        return cut
    low, high, stride = _token(page.entries[-1]), None, FIRST_STRIDE
    while high is None:  # everything up to `low` is older than `since`
        recent, cut, last = _probe(client, category, low + stride, since)
        if cut:
            return cut
        if recent:
            high = low + stride
        else:
            low, stride = last, stride * 2
    while high - low > 1:
        middle = (low + high) // 2
        recent, cut, last = _probe(client, category, middle, since)
        if cut:
            return cut
        if recent:
            high = middle
        else:
            low = min(max(last, middle), high - 1)
    return _url_at(client, category, low)
