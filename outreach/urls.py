"""Links: where a login may send someone back to, and absolute links for e-mail."""

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for an e-mail (also built outside a request, by the worker): PUBLIC_URL + the page's path."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def safe_next(target: str | None) -> str:
    """A local path to go back to; anything pointing elsewhere falls back to the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
