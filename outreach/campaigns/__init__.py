"""The campaigns room: campaigns and their letters, the supporter's path from choosing MPs to confirming, and the
organisers' campaign pages and review queue."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("campaigns", __name__, cli_group="campaigns")

from outreach.campaigns import checking, cli, embeds, views, writing  # noqa: E402, F401  (register routes and commands on bp)
from outreach.campaigns.confirmation import remind_and_expire  # noqa: E402
from outreach.campaigns.digest import build_due  # noqa: E402
from outreach.jobs import register_periodic_job  # noqa: E402


@bp.record_once
def _reminders_run_in_the_worker(state: BlueprintSetupState) -> None:
    register_periodic_job(state.app, remind_and_expire)
    register_periodic_job(state.app, build_due)  # the daily digests past the cap, at their hour
