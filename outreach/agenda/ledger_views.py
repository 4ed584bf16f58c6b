"""The outcome ledger's pages: the organiser's view with the choice to publish it, its CSV, the public timeline."""

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from outreach.accounts.access import audit
from outreach.agenda import ledger
from outreach.agenda.admin import bp
from outreach.agenda.models import LedgerSetting
from outreach.campaigns import hooks
from outreach.campaigns.models import Campaign
from outreach.database import begin_write
from outreach.downloads import csv_response
from outreach.extensions import db

VOTE_LABELS = {
    "Voor": lazy_gettext("for"),
    "Tegen": lazy_gettext("against"),
    "Niet deelgenomen": lazy_gettext("did not take part"),
}
CASE_KINDS = {
    "Motie": lazy_gettext("motion"),
    "Amendement": lazy_gettext("amendment"),
    "Schriftelijke vragen": lazy_gettext("written questions"),
    "Wetgeving": lazy_gettext("bill"),
}


@bp.app_template_global()
def vote_label(choice: str | None) -> str:
    return str(VOTE_LABELS.get(choice or "", choice or ""))


@bp.app_template_global()
def case_kind(kind: str | None) -> str:
    return str(CASE_KINDS.get(kind or "", kind or ""))


@bp.get("/ledger")
def show_ledger(campaign_id: int) -> str:
    """What the House did with the campaign's cases: submitters, decisions, votes; and whether it is published."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "agenda/ledger.html",
        campaign=campaign,
        ledger=ledger.build(campaign.id),
        published=ledger.is_published(campaign.id),
    )


@bp.post("/ledger/publish")
def publish_ledger(campaign_id: int) -> Response:
    """Show the ledger on the public campaign page, or stop showing it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    begin_write()
    setting = db.session.get(LedgerSetting, campaign.id) or LedgerSetting(campaign_id=campaign.id)
    setting.published = request.form.get("published") == "yes"
    db.session.add(setting)
    audit("agenda ledger published" if setting.published else "agenda ledger withdrawn", campaign)
    db.session.commit()
    return redirect(url_for(".show_ledger", campaign_id=campaign.id))


@bp.get("/ledger.csv")
def ledger_csv(campaign_id: int) -> Response:
    """The ledger as CSV: one row per vote, with the case, its submitters and the decision."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return csv_response(ledger.ledger_csv(ledger.build(campaign.id)), f"ledger-{campaign.slug}.csv")


def ledger_section(campaign: Campaign) -> Markup | None:
    """The published ledger as a timeline on the public campaign page."""
    if not ledger.is_published(campaign.id):
        return None
    entries = ledger.build(campaign.id)
    if not entries:
        return None
    return Markup(render_template("agenda/_ledger_public.html", ledger=entries))


hooks.page_sections.append(ledger_section)
