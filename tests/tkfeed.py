"""A constructed Tweede Kamer SyncFeed, served over real HTTP on a loopback port.

Entities are written the way the real feed writes them (Atom wrapper, tkData payload namespace, `tk:` attributes,
`xsi:nil`, `ref` relations, an entry-level `next` link per entry); every added entity takes the next number of one
global skiptoken sequence. Faults (an HTTP status, a hang, a body, a redirect) can be queued per category, or the
whole feed can go down after a number of requests.
"""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

ATOM = "http://www.w3.org/2005/Atom"
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PATH = "/SyncFeed/2.0/Feed"


def guid(name: str) -> str:
    """A stable GUID for a name used in a test."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"outreach-test:{name}"))


def entity_xml(
    tag: str,
    name: str,
    fields: dict[str, str | None] | None = None,
    refs: dict[str, str] | None = None,
    updated: str = "2025-11-12T09:58:00Z",
    deleted: bool = False,
    namespaced: bool = True,
) -> str:
    """One tkData entity element; `refs` name other test entities, None field values become xsi:nil."""
    ns = f' xmlns="{TK}" xmlns:tk="{TK}" xmlns:xsi="{XSI}"' if namespaced else ""
    prefix = "tk:" if namespaced else ""
    head = f'<{tag}{ns} id="{guid(name)}" {prefix}bijgewerkt="{updated}" {prefix}verwijderd="{str(deleted).lower()}"'
    if deleted:
        return head + "/>"
    body = [f'<{key} ref="{guid(target)}"/>' for key, target in (refs or {}).items()]
    for key, value in (fields or {}).items():
        body.append(f'<{key} xsi:nil="true"/>' if value is None else f"<{key}>{escape(value)}</{key}>")
    return head + ">" + "".join(body) + f"</{tag}>"


@dataclass
class Fault:
    kind: str  # status, hang, body, redirect
    status: int = 200
    body: bytes = b""
    location: str = ""
    content_type: str = "text/html"
    retry_after: str = ""  # a Retry-After header, as the server writes it


@dataclass
class Feed:
    """The feed's contents per category and the requests it has answered."""

    page_size: int = 3
    token: int = 16_000_000
    entries: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    requests: list[tuple[str, int | None]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""
    down_after: int | None = None  # once this many requests were answered, every further one gets HTTP 503

    def add(self, category: str, xml: str) -> None:
        """Publish an entity (a new one, or a new version of one) at the end of its category."""
        self.token += 7  # skiptokens are one global, gapped sequence
        self.entries.setdefault(category, []).append((self.token, xml))

    def fail(self, category: str, *faults: Fault) -> None:
        """Answer the next requests for `category` with these faults, in order."""
        self.faults.setdefault(category, []).extend(faults)

    def entries_after(self, category: str, skiptoken: int | None) -> list[tuple[int, str]]:
        """The category's (token, entity) entries past `skiptoken`; a page shows the first page_size of them."""
        return [(t, x) for t, x in self.entries.get(category, []) if skiptoken is None or t > skiptoken]

    def page(self, category: str, skiptoken: int | None) -> bytes:
        after = self.entries_after(category, skiptoken)
        shown, more = after[: self.page_size], len(after) > self.page_size
        link = f"{self.base_url}?category={category}&amp;skiptoken="
        parts = [f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ATOM}">', f"<title>{category}</title>"]
        if more:
            parts.append(f'<link rel="next" href="{link}{shown[-1][0]}"/>')
        if not shown:
            parts.append(f'<link rel="resume" href="{link}{skiptoken or 0}"/>')
        for token, xml in shown:
            tag = xml[1 : xml.index(" ")]
            parts.append(
                f"<entry><title>{xml.split('id=')[1][1:37]}</title><updated>2025-11-12T10:00:00Z</updated>"
                f'<category term="{tag}"/><link rel="next" href="{link}{token}"/>'
                f'<content type="application/xml">{xml}</content></entry>'
            )
        parts.append("</feed>")
        return "".join(parts).encode()

    def requests_for(self, category: str) -> list[int | None]:
        return [token for cat, token in self.requests if cat == category]


class House:
    """Writes a small House into a Feed the way the Kamer publishes it: persons, seats, parties, committees."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    def person(
        self,
        key: str,
        number: str | None,
        first: str | None,
        prefix: str | None,
        surname: str | None,
        gender: str | None,
        function: str = "Tweede Kamerlid",
        updated: str = "2025-11-12T09:58:00Z",
    ) -> None:
        fields = {
            "nummer": number,
            "titels": None,
            "initialen": (first or "?")[0] + ".",
            "tussenvoegsel": prefix,
            "achternaam": surname,
            "voornamen": first,
            "roepnaam": first,
            "geslacht": gender,
            "functie": function,
            "woonplaats": "Den Haag",
            "land": "NL",
            "fractielabel": None,
        }
        self.feed.add("Persoon", entity_xml("persoon", key, fields, updated=updated))

    def party(self, key: str, abbreviation: str, name: str, seats: str, active_until: str | None = None) -> None:
        fields = {
            "nummer": "27" + str(len(key)),
            "afkorting": abbreviation,
            "naamNl": name,
            "naamEn": None,
            "aantalZetels": seats,
            "aantalStemmen": None,
            "datumActief": "2023-12-06",
            "datumInactief": active_until,
        }
        self.feed.add("Fractie", entity_xml("fractie", key, fields))

    def party_seat(
        self, key: str, person: str, party: str, start: str, end: str | None = None, function: str = "Lid"
    ) -> None:
        self.feed.add("FractieZetel", entity_xml("fractieZetel", f"{key}-zetel", {"gewicht": "1"}, {"fractie": party}))
        self.feed.add(
            "FractieZetelPersoon",
            entity_xml(
                "fractieZetelPersoon",
                key,
                {"functie": function, "van": start, "totEnMet": end},
                {"fractieZetel": f"{key}-zetel", "persoon": person},
            ),
        )

    def contact(self, key: str, person: str, kind: str, value: str, weight: str, deleted: bool = False) -> None:
        self.feed.add(
            "PersoonContactinformatie",
            entity_xml(
                "persoonContactinformatie",
                key,
                {"soort": kind, "waarde": value, "gewicht": weight},
                {"persoon": person},
                deleted=deleted,
            ),
        )

    def committee(self, key: str, abbreviation: str, name: str, active_until: str | None = None) -> None:
        fields = {
            "nummer": "2019A0" + str(len(key)),
            "soort": "Vaste commissie",
            "afkorting": abbreviation,
            "naamNl": name,
            "naamEn": None,
            "naamWebNl": name,
            "datumActief": "2019-01-01",
            "datumInactief": active_until,
        }
        self.feed.add("Commissie", entity_xml("commissie", key, fields))
        self.feed.add(
            "CommissieZetel", entity_xml("commissieZetel", f"{key}-zetel", {"gewicht": "1"}, {"commissie": key})
        )

    def committee_seat(
        self,
        key: str,
        person: str,
        committee: str,
        function: str,
        substitute: bool = False,
        start: str = "2025-11-13",
        end: str | None = None,
    ) -> None:
        category, tag = (
            ("CommissieZetelVervangerPersoon", "commissieZetelVervangerPersoon")
            if substitute
            else ("CommissieZetelVastPersoon", "commissieZetelVastPersoon")
        )
        self.feed.add(
            category,
            entity_xml(
                tag,
                key,
                {"functie": function, "van": start, "totEnMet": end},
                {"commissieZetel": f"{committee}-zetel", "persoon": person},
            ),
        )


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


def large_house(feed: Feed, history: int) -> None:
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


class _Handler(BaseHTTPRequestHandler):
    feed: Feed

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        category = query.get("category", [""])[0]
        token = int(query["skiptoken"][0]) if "skiptoken" in query else None
        feed = self.feed
        feed.requests.append((category, token))
        if url.path != PATH or not category:
            return self._send(404, b"not found", "text/plain")
        if feed.down_after is not None and len(feed.requests) > feed.down_after:
            return self._send(503, b"Service Unavailable", "text/plain")
        pending = feed.faults.get(category)
        if pending:
            fault = pending.pop(0)
            if fault.kind == "hang":
                feed.release.wait(10)
                return None
            if fault.kind == "redirect":
                self.send_response(302)
                self.send_header("Location", fault.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send(fault.status, fault.body, fault.content_type, fault.retry_after)
        return self._send(200, feed.page(category, token), "application/atom+xml; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str, retry_after: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(feed: Feed) -> Iterator[Feed]:
    """Serve `feed` on a free loopback port while the block runs; feed.base_url says where."""
    handler = type("Handler", (_Handler,), {"feed": feed})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    feed.base_url = f"http://127.0.0.1:{server.server_port}{PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        feed.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
