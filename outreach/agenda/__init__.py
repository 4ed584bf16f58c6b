"""The agenda room: what the House is about to do and what it did, mirrored from the SyncFeed, watched per campaign."""

from flask import Blueprint

bp = Blueprint("agenda", __name__, cli_group="agenda")

from outreach.agenda import cli, ledger_views, member_activity, public, stop  # noqa: E402, F401  (commands, pages, hooks)
