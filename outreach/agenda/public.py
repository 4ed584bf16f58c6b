"""What supporters see of the agenda on the public campaign page: the debate coming up and by when to write."""

from flask import render_template
from markupsafe import Markup

from outreach.agenda import actions
from outreach.campaigns import hooks
from outreach.campaigns.models import Campaign


def coming_section(campaign: Campaign) -> Markup | None:
    """The campaign's open "write before this debate" actions, in the supporter's language; None when there are none."""
    coming = actions.open_actions(campaign)
    if not coming:
        return None
    return Markup(render_template("agenda/_coming.html", campaign=campaign, coming=coming))


hooks.preselections.append(actions.preselect)
hooks.letter_values.append(actions.debate_values)
hooks.page_sections.append(coming_section)
