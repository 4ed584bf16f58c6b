"""Links: where a visitor may be sent back to, absolute links for e-mail, and numbers in URLs and forms."""

import unicodedata
from urllib.parse import unquote

from flask import current_app
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
LONGEST_RETURN_ADDRESS = 2000


def parse_id(value: str) -> int | None:
    """A database id written in ASCII digits, within what the column holds; None for anything else.

    `str.isdigit()` alone is not enough: "²", "①" and "١٢" are digits to Python, and `int()` refuses the first two.
    """
    if not (0 < len(value) <= len(str(LARGEST_ID)) and value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= LARGEST_ID else None


def database_id(value: str) -> int:
    """For `request.args.get(..., type=database_id)`: a positive number the database can hold, else no value."""
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number the database can hold; a larger one is a 404, not an overflow error."""

    regex = r"[0-9]+"  # werkzeug's `\d+` also matches other scripts' digits

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for an e-mail (also built outside a request, by the worker): PUBLIC_URL + the page's path."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _plainly_local(value: str) -> bool:
    # Browsers drop tabs and line breaks from a Location and read "\" as "/", so "/\t/x" and "/\x" are "//x":
    # another site. Format characters (bidi overrides, zero widths) have no place in our own paths either.
    return (
        value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not any(unicodedata.category(char).startswith("C") for char in value)
    )


def is_safe_redirect(target: str | None) -> bool:
    """Whether `target` is a path on this site, read as one by every browser (never another site's address)."""
    if not target or len(target) > LONGEST_RETURN_ADDRESS or not _plainly_local(target):
        return False
    # The path also decoded, layer by layer: "/%2F/x", "/%5Cx" and "/%09/x" hide the same tricks from a check of the
    # raw text. The query string may hold encoded text of any kind ("?q=a%09b"): it stays a query.
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _layer in range(4):
        decoded = unquote(path, errors="replace")
        if decoded == path:
            return True
        if not _plainly_local(decoded):
            return False
        path = decoded
    return False


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Where to send a visitor back to: `target` when it is a path on this site, else `fallback` (a local page)."""
    return target if target is not None and is_safe_redirect(target) else fallback
