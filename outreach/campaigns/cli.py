"""Campaign commands: load the bundled campaigns, and the reminders and expiry the worker also runs."""

import json
from pathlib import Path

import click
from sqlalchemy import select

from outreach.campaigns import bp
from outreach.campaigns.confirmation import remind_and_expire
from outreach.campaigns.models import CAMPAIGN_STATUSES, Campaign
from outreach.campaigns.reading import FIELDS
from outreach.config import PROJECT_ROOT
from outreach.database import begin_write, utcnow
from outreach.extensions import db

BUNDLED = PROJECT_ROOT / "data" / "campaigns"


def reading_files(path: Path) -> dict[str, dict[str, str]]:
    """The reading translations beside a campaign's file: khojaly.tr.json holds {"subject": ..., "body": ...} (and
    optionally "title" and "intro") in Turkish for khojaly.json."""
    found = {}
    for translation in sorted(path.parent.glob(f"{path.stem}.*.json")):
        code = translation.name.removeprefix(f"{path.stem}.").removesuffix(".json")
        texts = json.loads(translation.read_text(encoding="utf-8"))
        if not isinstance(texts, dict) or not isinstance(texts.get("body"), str) or "." in code:
            raise click.ClickException(f'{translation.name}: expected {{"subject": ..., "body": ...}}')
        found[code] = {field: str(texts[field]) for field in FIELDS if texts.get(field)}
    return found


def load_campaign(path: Path) -> Campaign | None:
    """Add the campaign described in a JSON file (see data/campaigns/) unless one with its slug exists; one that
    exists gets the bundled reading translations it does not have yet (an organiser's own are kept)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    reading = reading_files(path)
    present = db.session.scalar(select(Campaign).where(Campaign.slug == data["slug"]))
    if present is not None:
        if set(reading) - set(present.reading or {}):
            present.reading = {**reading, **(present.reading or {})}
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
    campaign.reading = reading or None
    db.session.add(campaign)
    return campaign


@bp.cli.command("init")
def init_command() -> None:
    """Load the bundled campaigns (data/campaigns/*.json) that are not there yet."""
    begin_write()
    campaign_files = [path for path in sorted(BUNDLED.glob("*.json")) if "." not in path.stem]
    added = [campaign.slug for path in campaign_files if (campaign := load_campaign(path))]
    db.session.commit()
    click.echo(f"Added campaigns: {', '.join(added)}" if added else "The bundled campaigns are there already.")


@bp.cli.command("remind")
def remind_command() -> None:
    """Send due confirmation reminders and wipe expired unconfirmed letters (the worker does this every minute)."""
    begin_write()
    reminded, expired = remind_and_expire(utcnow())
    db.session.commit()
    click.echo(f"{reminded} reminders queued, {expired} unconfirmed submissions wiped.")
