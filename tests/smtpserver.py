"""Real SMTP servers on loopback for the delivery tests: a scripted aiosmtpd sink and a server that never answers."""

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Delivery:
    """One message the sink accepted (or saw at DATA before refusing it)."""

    mail_from: str
    rcpt_tos: list[str]
    message_id: str
    raw: bytes


@dataclass
class Sink:
    """An aiosmtpd handler that records every message and answers as the test scripts it."""

    delivered: list[Delivery] = field(default_factory=list)
    seen_at_data: list[Delivery] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address → reply, e.g. "550 5.1.1 No such user"
    refuse_data: dict[str, str] = field(default_factory=dict)  # address → reply at the end of DATA
    mail_reply: str | None = None  # reply to MAIL FROM, e.g. "553 5.7.1 Sender not allowed"
    outage: str | None = None  # reply to every RCPT and DATA, e.g. "451 4.3.0 Try again later"
    data_refusals_left: int = 0  # refuse this many DATA commands with `outage_data_reply`, then accept
    outage_data_reply: str = "451 4.3.0 Try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, _server, _session, envelope, address, options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if self.outage:
            return self.outage
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        raw = envelope.original_content
        delivery = Delivery(envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(raw)["Message-ID"], raw)
        with self.lock:
            self.seen_at_data.append(delivery)
            if self.outage:
                return self.outage
            if self.data_refusals_left:
                self.data_refusals_left -= 1
                return self.outage_data_reply
            for address in envelope.rcpt_tos:
                if address in self.refuse_data:
                    return self.refuse_data[address]
            self.delivered.append(delivery)
        return "250 OK queued"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [d.message_id for d in self.delivered]


class SinkServer:
    """A running sink: `port` to point MAIL_PORT at (a free one unless given); `password` set makes it offer AUTH
    PLAIN."""

    def __init__(self, password: str | None = None, port: int | None = None, smtputf8: bool = False) -> None:
        self.sink = Sink()
        self.port = port or free_port()
        options: dict[str, object] = {"enable_SMTPUTF8": smtputf8}  # smtputf8: announces SMTPUTF8 (RFC 6531)
        if password is not None:
            options |= {
                "authenticator": self._authenticate,
                "auth_require_tls": False,
                "auth_exclude_mechanism": ["LOGIN"],
            }  # smtplib then gives up after PLAIN
        self.password = password
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **options)

    def _authenticate(self, _server, _session, _envelope, _mechanism, auth_data):
        return AuthResult(success=auth_data.password.decode() == self.password, handled=False)

    def __enter__(self) -> "SinkServer":
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


class SilentServer:
    """Accepts TCP connections and never says a word (a hung mail server)."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        # Set on the listener, it is set on every connection accepted: a working server can take the port even while
        # those connections are still closing.
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def __enter__(self) -> "SilentServer":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, so the port is free at once
        self.listener.close()
        self.thread.join()
        for connection in self.connections:
            connection.close()
