"""The accounts room: organiser accounts, login with a second factor, passwords and their reset, the audit log."""

from flask import Blueprint

from outreach.accounts import secondfactor
from outreach.accounts.access import protect

bp = Blueprint("accounts", __name__, url_prefix="/admin", cli_group="accounts")
protect(bp)
bp.record_once(lambda state: secondfactor.check_config(state.app.config))

from outreach.accounts import cli, profile, reset, views  # noqa: E402, F401  (register routes and commands on bp)
