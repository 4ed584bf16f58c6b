"""Campaign commands: load the bundled campaigns, and the reminders and expiry the worker also runs."""

import json
from pathlib import Path

import click
from sqlalchemy import select

from outreach.campaigns import bp
from outreach.campaigns.confirmation import remind_and_expire
from outreach.campaigns.models import CAMPAIGN_STATUSES, Campaign
from outreach.config import PROJECT_ROOT
from outreach.database import begin_write, utcnow
from outreach.extensions import db

BUNDLED = PROJECT_ROOT / "data" / "campaigns"


def load_campaign(path: Path) -> Campaign | None:
    """Add the campaign described in a JSON file (see data/campaigns/) unless one with its slug exists."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == data["slug"])):
        return None
    if data.get("status", "draft") not in CAMPAIGN_STATUSES:
        raise click.ClickException(f"{path.name}: unknown status {data['status']!r}")
    now = utcnow()
    campaign = Campaign(
        slug=data["slug"],
        status=data.get("status", "draft"),
        all_members=data.get("all_members", True),
        parties=data.get("parties", []),
        committees=data.get("committees", []),
        extra_targets=[],
        preselect_committee=data.get("preselect_committee"),
        max_recipients=data.get("max_mps", 10),
        daily_cap=data.get("daily_cap", 200),
        goal=data.get("goal"),
        contact=data.get("contact"),
        created_at=now,
        updated_at=now,
    )
    for language in ("nl", "en"):
        texts = data.get(language) or {}
        for field in ("title", "intro", "subject", "body"):
            setattr(campaign, f"{field}_{language}", texts.get(field))
    db.session.add(campaign)
    return campaign


@bp.cli.command("init")
def init_command() -> None:
    """Load the bundled campaigns (data/campaigns/*.json) that are not there yet."""
    begin_write()
    added = [campaign.slug for path in sorted(BUNDLED.glob("*.json")) if (campaign := load_campaign(path))]
    db.session.commit()
    click.echo(f"Added campaigns: {', '.join(added)}" if added else "The bundled campaigns are there already.")


@bp.cli.command("remind")
def remind_command() -> None:
    """Send due confirmation reminders and wipe expired unconfirmed letters (the worker does this every minute)."""
    begin_write()
    reminded, expired = remind_and_expire(utcnow())
    db.session.commit()
    click.echo(f"{reminded} reminders queued, {expired} unconfirmed submissions wiped.")
