"""The directory room: who can be written to — members, parties, committees, seats and organisers' overrides."""

from flask import Blueprint

bp = Blueprint("directory", __name__, cli_group="directory")

from outreach.directory import cli, views  # noqa: E402, F401  (register routes and commands on bp)
