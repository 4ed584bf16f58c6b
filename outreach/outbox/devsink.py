"""The development mail sink: a local SMTP server (aiosmtpd) that keeps every message as an .eml file in the
instance folder, so a developer can read the confirmation mail at /admin/dev-mail and click its link."""

import os
import re
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiosmtpd is loaded only by the sink itself, not by every web process that imports this module
    from aiosmtpd.smtp import SMTP, Envelope, Session

_URL = re.compile(r"(https?://[^\s<>\"]*[^\s<>\"().,;:!?'])")  # not the full stop or bracket after a link


class FolderHandler:
    """aiosmtpd handler: each message delivered is written to `folder` (atomically, newest name last)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, _server: "SMTP", _session: "Session", envelope: "Envelope") -> str:
        for recipient in envelope.rcpt_tos:
            name = f"{time.time_ns()}-{os.getpid()}.eml"
            temporary = self.folder / f".{name}"
            envelope_line = f"X-Envelope-To: {recipient}\r\nX-Envelope-From: {envelope.mail_from}\r\n".encode()
            temporary.write_bytes(envelope_line + envelope.original_content)
            temporary.rename(self.folder / name)
        return "250 Message accepted for delivery"


@dataclass
class StoredMail:
    """A message in the sink, as the dev-mail pages show it."""

    name: str
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def segments(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, is_link) so the page can make links clickable without marking up text."""
        pieces = _URL.split(self.text)
        return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def stored(folder: str, limit: int = 200) -> list[StoredMail]:
    """The newest messages first."""
    path = Path(folder)
    if not path.is_dir():
        return []
    names = sorted((p.name for p in path.glob("*.eml")), reverse=True)[:limit]
    return [mail for name in names if (mail := read(folder, name))]


def read(folder: str, name: str) -> StoredMail | None:
    """One stored message by file name (only names the sink writes are accepted)."""
    if not re.fullmatch(r"\d+-\d+\.eml", name):
        return None
    path = Path(folder) / name
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return StoredMail(name, BytesParser(policy=policy.default).parse(handle))
