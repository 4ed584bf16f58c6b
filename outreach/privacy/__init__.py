"""The privacy room: the register of personal data, retention, a supporter's export and erasure (self-service and
by organisers), and the privacy statement."""

from datetime import datetime

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState

bp = Blueprint("privacy", __name__, cli_group="privacy")

from outreach.jobs import register_periodic_job  # noqa: E402
from outreach.privacy import cli, views  # noqa: E402, F401  (register routes and commands on bp)
from outreach.privacy.retention import purge  # noqa: E402

PURGED_AT = "outreach.purged_at"


def purge_daily(now: datetime) -> None:
    """The worker's daily retention run (at start, then every PURGE_EVERY_SECONDS)."""
    last = current_app.extensions.get(PURGED_AT)
    if last is not None and (now - last).total_seconds() < current_app.config["PURGE_EVERY_SECONDS"]:
        return
    purge(now)
    current_app.extensions[PURGED_AT] = now


@bp.record_once
def _retention_runs_in_the_worker(state: BlueprintSetupState) -> None:
    register_periodic_job(state.app, purge_daily)
