"""The replies room: inbound mail (IMAP, files, webhook) matched to letters and classified, the organisers' replies
inbox, and the follow-up survey that asks supporters whether their MP replied."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("replies", __name__, cli_group="replies")

from outreach.jobs import register_periodic_job  # noqa: E402
from outreach.replies import cli, views  # noqa: E402, F401  (register routes and commands on bp)
from outreach.replies.sources import fetch_when_due  # noqa: E402
from outreach.replies.survey import send_due  # noqa: E402


@bp.record_once
def _fetching_and_surveys_run_in_the_worker(state: BlueprintSetupState) -> None:
    register_periodic_job(state.app, send_due)
    register_periodic_job(state.app, fetch_when_due, own_transactions=True)
