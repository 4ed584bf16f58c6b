"""The roads replies arrive by: an IMAP mailbox (read messages are moved to a folder, or marked read), and files
(.eml, mbox, Maildir). Each message is stored in its own transaction before the mailbox is told it was read, so a
crash in between only makes the next fetch see it again, and the Message-ID check stores it once."""

import contextlib
import imaplib
import logging
import mailbox
import ssl
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from outreach.database import begin_write, utcnow
from outreach.extensions import db
from outreach.replies.ingest import ingest
from outreach.replies.models import FILE, IMAP

log = logging.getLogger(__name__)
BATCH = 500  # messages per fetch; the rest waits for the next one


class SourceError(Exception):
    """A mailbox or file that cannot be read (wrong password, no such folder, not a mail file): said plainly."""


class Tally(Counter):
    """What one import or fetch did: new messages by kind, and how many had been stored before."""

    def record(self, reply_kind: str, new: bool, linked: bool) -> None:
        if not new:
            self["already stored"] += 1
            return
        self["new"] += 1
        self[reply_kind] += 1
        if not linked:
            self["to assign by hand"] += 1

    def summary(self) -> str:
        if not self:
            return "no messages"
        first = [key for key in ("new", "already stored") if self[key]]
        rest = sorted(key for key in self if key not in ("new", "already stored"))
        return ", ".join(f"{self[key]} {key}" for key in first + rest)


def store(raw: bytes, source: str, tally: Tally) -> None:
    """Ingest one message in its own transaction."""
    begin_write()
    try:
        reply, new = ingest(raw, source, utcnow())
        kind, linked = reply.kind, reply.letter_id is not None or reply.outbox_message_id is not None
        db.session.commit()  # read before: reading after would open a transaction that lasts the next download
    except SQLAlchemyError as error:
        db.session.rollback()
        raise SourceError(f"the database could not store a message: {error}") from error
    tally.record(kind, new, linked)


# Files --------------------------------------------------------------------------------------------------------------


def messages_in(path: Path) -> Iterator[bytes]:
    """The messages in a Maildir folder, an mbox file or a single .eml file."""
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise SourceError(f"{path}: a folder must be a Maildir (with cur/ and new/ in it)")
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            yield box.get_bytes(key)
        return
    if not path.is_file():
        raise SourceError(f"{path}: no such file or folder")
    with path.open("rb") as file:
        start = file.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, factory=None, create=False)
        for key in box.iterkeys():
            yield box.get_bytes(key)
        box.close()
    else:
        yield path.read_bytes()


def import_files(paths: list[Path], tally: Tally, progress: Callable[[Path], None] | None = None) -> Tally:
    for path in paths:
        if progress:
            progress(path)
        for raw in messages_in(path):
            store(raw, FILE, tally)
    return tally


# IMAP ---------------------------------------------------------------------------------------------------------------


def imap_configured() -> bool:
    return bool(current_app.config.get("IMAP_HOST"))


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    security = (config["IMAP_SECURITY"] or "ssl").lower()
    host, timeout = config["IMAP_HOST"], config["IMAP_TIMEOUT"]
    port = int(config.get("IMAP_PORT") or (993 if security == "ssl" else 143))
    connection: imaplib.IMAP4 | None = None
    try:
        if security == "ssl":
            context = ssl.create_default_context()
            connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        else:
            connection = imaplib.IMAP4(host, port, timeout=timeout)
            if security == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(config["IMAP_USERNAME"] or "", config["IMAP_PASSWORD"] or "")
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
        if connection is not None:
            connection.shutdown()
        raise SourceError(f"IMAP server {host}:{port}: {error}") from error
    return connection


def _ok(answer: tuple[str, list], what: str) -> list:
    status, data = answer
    if status != "OK":
        detail = b" ".join(part for part in data if isinstance(part, bytes)).decode(errors="replace")
        raise SourceError(f"IMAP {what}: {detail or status}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_imap(tally: Tally | None = None) -> Tally:
    """Read new messages from the configured mailbox: each is stored, then moved to the processed folder (or
    marked read when none is configured)."""
    config = current_app.config
    tally = tally if tally is not None else Tally()
    processed = config.get("IMAP_PROCESSED_FOLDER") or ""
    connection = _connect()
    try:
        # Asked again after login: servers announce MOVE and the like only to a logged-in client.
        capabilities = set((_ok(connection.capability(), "capabilities")[0] or b"").decode().upper().split())
        if processed:
            connection.create(_quoted(processed))  # NO when it exists already, which is fine
        _ok(connection.select(_quoted(config["IMAP_FOLDER"])), f"folder {config['IMAP_FOLDER']}")
        criteria = "UNDELETED" if processed else "UNSEEN UNDELETED"
        uids = (_ok(connection.uid("SEARCH", None, criteria), "search")[0] or b"").split()[:BATCH]
        for uid in uids:
            data = _ok(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
            raw = next((item[1] for item in data if isinstance(item, tuple) and len(item) == 2), None)
            if raw is None:
                continue
            store(raw, IMAP, tally)
            _done(connection, uid, processed, capabilities)
        if processed and "MOVE" not in capabilities:
            connection.expunge()
    except (TimeoutError, OSError, imaplib.IMAP4.abort) as error:
        raise SourceError(f"IMAP connection lost: {error}") from error
    except imaplib.IMAP4.error as error:
        raise SourceError(f"IMAP server refused: {error}") from error
    except UnicodeEncodeError as error:
        raise SourceError("IMAP folder names must be plain ASCII") from error
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            # A line that dropped cannot say LOGOUT; the socket is closed all the same (logout would not).
            with contextlib.suppress(OSError):
                connection.shutdown()
    return tally


def _done(connection: imaplib.IMAP4, uid: bytes, processed: str, capabilities: set[str]) -> None:
    if not processed:
        _ok(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "mark read")
    elif "MOVE" in capabilities:
        _ok(connection.uid("MOVE", uid, _quoted(processed)), f"move to {processed}")
    else:
        _ok(connection.uid("COPY", uid, _quoted(processed)), f"copy to {processed}")
        _ok(connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "delete")


FETCHED_AT = "outreach.replies_fetched_at"


def fetch_when_due(now: datetime) -> None:
    """The worker's periodic fetch (every IMAP_FETCH_SECONDS), when a mailbox is configured; a mailbox that cannot
    be reached is logged and tried again next time."""
    if not imap_configured():
        return
    last = current_app.extensions.get(FETCHED_AT)
    if last is not None and (now - last).total_seconds() < current_app.config["IMAP_FETCH_SECONDS"]:
        return
    current_app.extensions[FETCHED_AT] = now
    try:
        tally = fetch_imap()
    except SourceError as error:
        db.session.rollback()
        log.error("replies: %s", error)
        return
    if tally:
        log.info("replies fetched: %s", tally.summary())
