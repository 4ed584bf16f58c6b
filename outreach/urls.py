"""Links: where a login may send someone back to, absolute links for e-mail, and numbers in URLs."""

from flask import current_app
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number the database can hold; a larger one is a 404, not an overflow error."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def database_id(value: str) -> int:
    """For `request.args.get(..., type=database_id)`: a positive number the database can hold, else no value."""
    number = int(value)
    if not 0 < number <= LARGEST_ID:
        raise ValueError(value)
    return number


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for an e-mail (also built outside a request, by the worker): PUBLIC_URL + the page's path."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything pointing elsewhere falls back to the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
