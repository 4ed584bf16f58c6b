"""A real DNS server on loopback for the own-domain check: dnslib answering from records a test sets."""

import socket
from collections import defaultdict

from dnslib import AAAA, MX, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

KINDS = {"A": A, "AAAA": AAAA, "MX": MX, "TXT": TXT}


def _chunks(text: str) -> list[bytes]:
    """A TXT record longer than 255 bytes is published as several strings, as DNS providers do with DKIM keys."""
    data = text.encode()
    return [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]


class Zone(BaseResolver):
    """Records by (name, type); a name with no records at all answers NXDOMAIN, as a real server does."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[object]] = defaultdict(list)

    def add(self, name: str, kind: str, value: str, preference: int = 10) -> None:
        if kind == "TXT":
            rdata = TXT(_chunks(value))
        elif kind == "MX":
            rdata = MX(value, preference)
        else:
            rdata = KINDS[kind](value)
        self.records[(name.lower().rstrip("."), kind)].append(rdata)

    def remove(self, name: str, kind: str) -> None:
        self.records.pop((name.lower().rstrip("."), kind), None)

    def resolve(self, request, handler):
        reply = request.reply()
        name, kind = str(request.q.qname).lower().rstrip("."), QTYPE[request.q.qtype]
        for rdata in self.records.get((name, kind), []):
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=60))
        if not reply.rr and not any(known == name for known, _ in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class LocalDns:
    """A running server: point DNS_RESOLVER at `address`; `zone` holds what it answers."""

    def __init__(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.zone = Zone()
        self.server = DNSServer(
            self.zone, address="127.0.0.1", port=self.port, logger=DNSLogger(logf=lambda _line: None)
        )
        self.address = f"127.0.0.1:{self.port}"

    def __enter__(self) -> "LocalDns":
        self.server.start_thread()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.stop()
        self.server.server.server_close()
