"""A real IMAP server on loopback for the reply tests: pymap's in-memory backend, started as its own process."""

import contextlib
import imaplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.smtpserver import free_port

USER, PASSWORD = "replies", "imap-secret"


@dataclass
class ImapServer:
    port: int

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        for raw in messages:
            status, detail = connection.append(folder, None, None, raw)
            assert status == "OK", detail
        connection.logout()

    def uids(self, folder: str = "INBOX", criteria: str = "UNDELETED") -> list[bytes]:
        """The messages in a folder ([] when it does not exist)."""
        connection = self.connect()
        try:
            if connection.select(f'"{folder}"')[0] != "OK":
                return []
            return connection.uid("SEARCH", None, criteria)[1][0].split()
        finally:
            connection.logout()

    def empty(self) -> None:
        """Remove every message from every folder (the server outlives one test)."""
        connection = self.connect()
        for line in connection.list()[1]:
            folder = line.decode().rsplit(' "/" ', 1)[-1]
            if connection.select(folder)[0] == "OK":
                connection.store("1:*", "+FLAGS", "(\\Deleted)")
                connection.expunge()
        connection.logout()

    def config(self, **extra: object) -> dict[str, object]:
        """The application settings that point Outreach at this server."""
        return {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": self.port,
            "IMAP_SECURITY": "none",
            "IMAP_USERNAME": USER,
            "IMAP_PASSWORD": PASSWORD,
            **extra,
        }


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    port = free_port()
    program = Path(sys.executable).with_name("pymap")
    command = [str(program), "--host", "127.0.0.1", "--port", str(port), "--no-tls"]
    command += ["dict", "--demo-user", USER, "--demo-password", PASSWORD]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = ImapServer(port)
    deadline = time.monotonic() + 15
    while True:
        try:
            server.connect().logout()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError("pymap did not start: " + process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


class DroppingProxy:
    """A TCP relay in front of the IMAP server that cuts the connection once the server has sent `limit` bytes:
    the mailbox dropping the line in the middle of a fetch."""

    def __init__(self, target_port: int, limit: int) -> None:
        self.target_port, self.limit = target_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self.sockets: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, self.limit), daemon=True).start()

    def _pipe(self, source, target, limit: int | None) -> None:
        sent = 0
        try:
            while chunk := source.recv(4096):
                if limit is not None and sent + len(chunk) > limit:
                    target.sendall(chunk[: limit - sent])
                    self.cuts += 1
                    break
                target.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        for sock in (source, target):  # shutdown wakes the other direction's thread blocked in recv
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
