"""The bundled demo directory: 150 fictional members for a first run, replaced by the first real sync."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from outreach.config import PROJECT_ROOT
from outreach.directory.models import (
    SOURCE_DEMO,
    Committee,
    CommitteeOverride,
    CommitteeSeat,
    Member,
    Party,
)
from outreach.extensions import db

DEMO_FILE = PROJECT_ROOT / "data" / "demo-directory.json"


class DemoRefused(Exception):
    """The directory holds real members; demo data would mix with them."""


def real_member_count() -> int:
    """Members that did not come from the demo file."""
    return db.session.scalar(select(func.count(Member.id)).where(Member.source != SOURCE_DEMO)) or 0


def remove_demo() -> None:
    """Delete every demo row (members, committees, parties); organisers' notes on them go too."""
    for model in (Member, Committee, Party):
        db.session.execute(delete(model).where(model.source == SOURCE_DEMO))


def load_demo(path: Path = DEMO_FILE) -> dict[str, int]:
    """Replace the demo rows by the contents of `path`; returns what was loaded. The caller commits."""
    if real_member_count():
        raise DemoRefused
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    remove_demo()

    parties = {
        p["abbreviation"]: Party(
            source=SOURCE_DEMO,
            abbreviation=p["abbreviation"],
            name_nl=p["name_nl"],
            name_en=p.get("name_en"),
            seats=p.get("seats"),
        )
        for p in data["parties"]
    }
    committees = {}
    for c in data["committees"]:
        committee = Committee(
            source=SOURCE_DEMO,
            abbreviation=c["abbreviation"],
            name_nl=c["name_nl"],
            name_en=c.get("name_en"),
            kind=c.get("kind"),
        )
        if c.get("email"):
            committee.override = CommitteeOverride(email=c["email"])
        committees[c["abbreviation"]] = committee
    db.session.add_all([*parties.values(), *committees.values()])

    for m in data["members"]:
        member = Member(
            source=SOURCE_DEMO,
            first_name=m["first_name"],
            prefix=m.get("prefix"),
            surname=m["surname"],
            initials=m.get("initials"),
            gender=m.get("gender"),
            function="Tweede Kamerlid",
            party=parties[m["party"]],
            party_role=m.get("party_role"),
            email=m.get("email"),
            is_current=True,
        )
        member.seats = [
            CommitteeSeat(committee=committees[s["abbreviation"]], role=s["role"], substitute=s["substitute"])
            for s in m.get("committees", [])
        ]
        db.session.add(member)
    return {"members": len(data["members"]), "parties": len(parties), "committees": len(committees)}
