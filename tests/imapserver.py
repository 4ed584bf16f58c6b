"""A real IMAP server on loopback for the reply tests: pymap's in-memory backend, started as its own process."""

import imaplib
import subprocess
import sys
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
