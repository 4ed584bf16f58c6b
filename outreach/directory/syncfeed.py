"""A client for the Tweede Kamer's SyncFeed 2.0: fetch pages politely, parse their entries.

The feed is Atom; each entry carries one entity in the tkData namespace and its own `next` link, the durable
cursor past it. A page with no entries and a feed-level `resume` link means the category is caught up.
Namespaces are matched by local name, so pages with or without namespace prefixes parse the same.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from outreach.labels import N_

if TYPE_CHECKING:  # requests is loaded by a sync, not by every web process that imports the directory
    import requests

# The ten categories a directory needs, as the feed names them in its `category` parameter.
CATEGORIES = (
    "Persoon",
    "PersoonContactinformatie",
    "Fractie",
    "FractieZetel",
    "FractieZetelPersoon",
    "Commissie",
    "CommissieZetel",
    "CommissieZetelVastPersoon",
    "CommissieZetelVervangerPersoon",
    "CommissieContactinformatie",
)
RETRY_STATUSES = {429, 500, 502, 503, 504}
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class SyncFeedError(Exception):
    """The feed could not be read; the message says why, in words an organiser can act on.

    It is stored (and printed) in English, written from one of MESSAGES, so pages can show it translated.
    """

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params)


NO_ID = N_("an entity <%(tag)s> has no id")
NOT_A_PAGE = N_("%(url)s answered with %(kind)s instead of a feed page (%(error)s)")
HTML_PAGE = N_("an HTML page")
NOT_XML = N_("not valid XML")
NOT_A_PAGE_HTML = N_("%(url)s answered with an HTML page instead of a feed page")
NOT_ATOM = N_("%(url)s answered with <%(tag)s> instead of an Atom feed")
NOT_ONE_ENTITY = N_("%(url)s: an entry does not hold exactly one entity")
GAVE_UP = N_("%(url)s: %(reason)s, still after %(attempts)s attempts")
OTHER_HOST = N_("refusing to follow a redirect to another host: %(url)s")
TIMEOUT = N_("no answer within the timeout")
CONNECTION_FAILED = N_("connection failed (%(error)s)")
HTTP_STATUS = N_("HTTP %(status)s")
ANSWERED_HTTP = N_("%(url)s answered HTTP %(status)s")
TOO_MANY_REDIRECTS = N_("%(url)s: too many redirects")
TOO_LARGE = N_("%(url)s: page larger than %(bytes)s bytes")
BROKE_OFF = N_("the answer broke off (%(error)s)")
MESSAGES = (
    NO_ID,
    NOT_A_PAGE,
    HTML_PAGE,
    NOT_XML,
    NOT_A_PAGE_HTML,
    NOT_ATOM,
    NOT_ONE_ENTITY,
    GAVE_UP,
    OTHER_HOST,
    TIMEOUT,
    CONNECTION_FAILED,
    HTTP_STATUS,
    ANSWERED_HTTP,
    TOO_MANY_REDIRECTS,
    TOO_LARGE,
    BROKE_OFF,
)


@dataclass
class Entity:
    """One entity from the feed: its fields (None for xsi:nil) and its references to other entities."""

    category: str
    id: str
    updated: str
    deleted: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    ref_lists: dict[str, list[str]] = field(default_factory=dict)  # every reference, for relations held many times


@dataclass
class Entry:
    entity: Entity
    next_url: str | None


@dataclass
class Page:
    entries: list[Entry]
    next_url: str | None
    resume_url: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _links(element: Element, base: str) -> dict[str, str]:
    return {
        link.get("rel", ""): urljoin(base, link.get("href", ""))
        for link in element
        if _local(link.tag) == "link" and link.get("href")
    }


def _entity(payload: Element) -> Entity:
    entity_id = _attribute(payload, "id")
    if not entity_id:
        raise SyncFeedError(NO_ID, tag=_local(payload.tag))
    entity = Entity(
        category=_local(payload.tag),
        id=entity_id.lower(),
        updated=_attribute(payload, "bijgewerkt") or "",
        deleted=(_attribute(payload, "verwijderd") or "false").lower() == "true",
    )
    for child in payload:
        name = _local(child.tag)
        ref = child.get("ref")
        if ref is not None:
            entity.refs[name] = ref.lower()
            entity.ref_lists.setdefault(name, []).append(ref.lower())
        elif child.get(XSI_NIL) == "true" or len(child) > 0:
            entity.fields.setdefault(name, None)
        else:
            text = (child.text or "").strip()
            entity.fields[name] = text or None
    return entity


def parse_page(body: bytes, url: str) -> Page:
    """Parse one feed page; anything that is not a SyncFeed page raises SyncFeedError."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException) as error:
        start = body[:200].decode("utf-8", "replace").strip().lower()
        kind = HTML_PAGE if start.startswith(("<!doctype html", "<html")) else NOT_XML
        raise SyncFeedError(NOT_A_PAGE, url=url, kind=kind, error=error) from None
    if _local(root.tag).lower() == "html":
        raise SyncFeedError(NOT_A_PAGE_HTML, url=url)
    if _local(root.tag) != "feed":
        raise SyncFeedError(NOT_ATOM, url=url, tag=_local(root.tag))
    entries = []
    for element in root:
        if _local(element.tag) != "entry":
            continue
        content = next((c for c in element if _local(c.tag) == "content"), None)
        payloads = list(content) if content is not None else []
        if len(payloads) != 1:
            raise SyncFeedError(NOT_ONE_ENTITY, url=url)
        entries.append(Entry(_entity(payloads[0]), _links(element, url).get("next")))
    links = _links(root, url)
    return Page(entries, links.get("next"), links.get("resume"))


def first_page_url(base_url: str, category: str) -> str:
    return f"{base_url}?{urlencode({'category': category})}"


@dataclass
class Client:
    """Fetches feed pages with a timeout, retries with backoff and jitter, and no redirects to other hosts."""

    base_url: str
    timeout: float = 30.0
    attempts: int = 5
    backoff: float = 1.0
    backoff_cap: float = 60.0
    max_page_bytes: int = 20 * 1024 * 1024
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=lambda: _requests().Session())
    requests_made: int = 0

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = "Outreach directory sync"
        self._host = urlsplit(self.base_url).netloc

    def get(self, url: str) -> bytes:
        """The body of `url`, retried on timeouts, connection errors, 429 and 5xx."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._get_once(url)
            except _Retry as retry:
                if attempt == self.attempts:
                    raise SyncFeedError(GAVE_UP, url=url, reason=retry.reason, attempts=attempt) from None
                delay = min(self.backoff_cap, self.backoff * 2 ** (attempt - 1))
                self.sleep(retry.wait if retry.wait is not None else delay * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> bytes:
        requests = _requests()
        for _hop in range(5):
            if urlsplit(url).netloc != self._host:
                raise SyncFeedError(OTHER_HOST, url=url)
            self.requests_made += 1
            try:
                response = self.session.get(url, timeout=self.timeout, allow_redirects=False, stream=True)
            except requests.Timeout:
                raise _Retry(TIMEOUT) from None
            except requests.ConnectionError as error:
                raise _Retry(CONNECTION_FAILED % {"error": type(error).__name__}) from None
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code in RETRY_STATUSES:
                    raise _Retry(HTTP_STATUS % {"status": response.status_code}, _retry_after(response))
                if response.status_code != 200:
                    raise SyncFeedError(ANSWERED_HTTP, url=url, status=response.status_code)
                return self._read(response, url)
        raise SyncFeedError(TOO_MANY_REDIRECTS, url=url)

    def _read(self, response: requests.Response, url: str) -> bytes:
        requests = _requests()
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_page_bytes:
                    raise SyncFeedError(TOO_LARGE, url=url, bytes=self.max_page_bytes)
                chunks.append(chunk)
        except requests.RequestException as error:
            raise _Retry(BROKE_OFF % {"error": type(error).__name__}) from None
        return b"".join(chunks)

    def page_at(self, category: str, skiptoken: int | None) -> Page:
        """The page of `category` that starts just past `skiptoken` (its first page for None)."""
        url = first_page_url(self.base_url, category)
        if skiptoken is not None:
            url += f"&skiptoken={skiptoken}"
        return parse_page(self.get(url), url)

    def pages(self, category: str, start_url: str | None) -> Iterator[tuple[str, Page]]:
        """The category's pages from `start_url` (or its first page) until it is caught up."""
        url = start_url or first_page_url(self.base_url, category)
        while True:
            page = parse_page(self.get(url), url)
            yield url, page
            if not page.entries or not page.next_url:
                return
            url = page.entries[-1].next_url or page.next_url


def _requests():
    import requests

    return requests


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason, self.wait = reason, wait


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    # Seconds in ASCII digits only: "²" is a digit to isdigit() but not to float(). (An HTTP date is not used.)
    return min(float(value), 300.0) if value.isascii() and value.isdigit() else None
