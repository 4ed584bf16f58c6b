"""Turning a reply into text an organiser can read: the right body part in the right character set, HTML made
plain, and the quoted history (the supporter's own letter, earlier messages) cut off."""

import re
from email.message import Message
from html.parser import HTMLParser

# Character sets senders name that are really Windows-1252 when a program on Windows wrote them (the euro sign,
# curly quotes): decoding as 1252 reads both right, since 1252 agrees with them where they are defined.
WINDOWS_1252_ALIASES = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso_8859-1", "windows-1252", "cp1252"}

# Where the quoted history of a reply begins.
HISTORY_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(original message|oorspronkelijk bericht|origineel bericht|ursprüngliche nachricht)\s*-{2,}"
    r"|_{20,}|-{20,})\s*$",
    re.IGNORECASE,
)
WROTE = re.compile(r"^\s*(on|op|am|le)\s.{4,250}\s(wrote|schreef|schrieb|a écrit)\b.{0,120}:\s*$", re.IGNORECASE)
HEADER_START = re.compile(r"^\s*\*?(from|van|von|de)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_FOLLOW = re.compile(
    r"^\s*\*?(sent|verzonden|date|datum|gesendet|envoyé|to|aan|an|à|subject|onderwerp|betreff)\s*:", re.IGNORECASE
)
FORWARD_MARKERS = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|doorgestuurd bericht|weitergeleitete nachricht)\s*-{2,}"
    r"|begin (forwarded message|doorgestuurd bericht):)\s*$",
    re.IGNORECASE,
)


def decode_part(part: Message) -> str:
    """A text part's content as text, whatever character set it claims (unknown ones read as UTF-8 or 1252)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = (part.get_content_charset() or "utf-8").lower()
    if charset in WINDOWS_1252_ALIASES:
        charset = "cp1252"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


class _HtmlText(HTMLParser):
    """Plain text from HTML: block elements become line breaks, quoted blocks get "> " in front of their lines."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "pre"})
    SKIP = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skipping = 0

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        self.lines.append("> " * self.quote_depth + line if line else "")
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self._flush()
            self.quote_depth += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self._flush()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    parser._flush()
    return tidy("\n".join(parser.lines))


def tidy(text: str) -> str:
    """Trailing spaces gone, at most one empty line in a row, no empty lines at either end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def history_starts(lines: list[str]) -> int | None:
    """The index of the line where quoted history begins, or None."""
    for index, line in enumerate(lines):
        following = lines[index + 1 : index + 6]
        if HISTORY_SEPARATORS.match(line) or FORWARD_MARKERS.match(line) or WROTE.match(line):
            return index
        if index + 1 < len(lines) and WROTE.match(f"{line} {lines[index + 1]}"):  # "On ... <address>" wrapped
            return index
        if HEADER_START.match(line) and any(HEADER_FOLLOW.match(other) for other in following):
            return index
    return None


def strip_history(text: str) -> str:
    """The answer itself: everything from the first sign of quoted history on is cut, and quoted lines dropped."""
    lines = tidy(text).split("\n")
    start = history_starts(lines)
    if start is not None:
        lines = lines[:start]
    return tidy("\n".join(line for line in lines if not line.lstrip().startswith(">")))


def forwarded_part(text: str) -> tuple[dict[str, str], str] | None:
    """A message forwarded inline: ({"from": ..., "subject": ...}, its text), or None when there is none."""
    lines = tidy(text).split("\n")
    for index, line in enumerate(lines):
        if FORWARD_MARKERS.match(line) or HISTORY_SEPARATORS.match(line):
            headers, body_start = _header_block(lines, index + 1)
            if headers.get("from"):
                return headers, "\n".join(lines[body_start:])
    return None


HEADER_NAMES = {
    "from": "from",
    "van": "from",
    "von": "from",
    "subject": "subject",
    "onderwerp": "subject",
    "date": "date",
    "datum": "date",
    "sent": "date",
    "verzonden": "date",
    "to": "to",
    "aan": "to",
}


def _header_block(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """The "From: … / Subject: …" lines at the top of a forwarded message, and where its text begins."""
    headers: dict[str, str] = {}
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].strip():
        name, colon, value = lines[index].strip().strip("*").partition(":")
        key = HEADER_NAMES.get(name.strip("* ").lower())
        if not colon or key is None:
            break
        headers.setdefault(key, value.strip(" *"))
        index += 1
    return headers, index
