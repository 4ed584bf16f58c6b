"""The outbox room: every outgoing e-mail is a row here until a worker has handed it to the mail server."""

from flask import Blueprint

bp = Blueprint("outbox", __name__, cli_group="outbox")

from outreach.outbox import cli  # noqa: E402, F401  (register commands on bp)
