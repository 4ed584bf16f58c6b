"""Where rooms further down the line add to the directory's pages (the agenda adds a member's recent activity)."""

from collections.abc import Callable

from markupsafe import Markup

from outreach.directory.models import Member

# Sections of a member's public page, already rendered; None when a room has nothing to add.
member_sections: list[Callable[[Member], Markup | None]] = []


def sections(member: Member) -> list[Markup]:
    return [section for hook in member_sections if (section := hook(member)) is not None]
