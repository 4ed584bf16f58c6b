"""The link under every agenda alert: a supporter stops the campaign's news (asked first, so a mail program that
opens links by itself stops nothing)."""

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from outreach.agenda import alerts, bp
from outreach.campaigns.models import Campaign
from outreach.database import begin_write
from outreach.extensions import db


@bp.route("/campaigns/news/stop/<token>", methods=["GET", "POST"])
def stop_alerts(token: str) -> str | Response:
    """Stop the e-mails about a campaign's debates: the page asks, its button stops them."""
    request.token_page = True  # type: ignore[attr-defined]
    submission = alerts.submission_for(token) or abort(404)
    campaign = db.get_or_404(Campaign, submission.campaign_id)
    stopped = False
    if request.method == "POST":
        begin_write()
        alerts.stop(submission)
        db.session.commit()
        stopped = True
    return render_template("agenda/stop.html", campaign=campaign, stopped=stopped)
