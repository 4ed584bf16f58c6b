"""Words for the codes of the campaigns room: a campaign's status, a letter's status, why a letter is held. Every
room's pages show these codes through the functions here, in the reader's language."""

from flask_babel import lazy_gettext

# Why a letter waits for an organiser before it goes out (`Letter.hold_reason`), as the review queue explains it.
REVIEW_REASONS = {
    "similar": lazy_gettext("nearly the same personal text as another supporter's letter"),
    "parliament_address": lazy_gettext("written from an address of the House or of a member"),
}
STATUS_LABELS = {
    "draft": lazy_gettext("draft"),
    "live": lazy_gettext("live"),
    "paused": lazy_gettext("paused"),
    "closed": lazy_gettext("closed"),
}
HOLD_LABELS = {
    **REVIEW_REASONS,
    "campaign_paused": lazy_gettext("confirmed while the campaign was paused"),
    "no_address": lazy_gettext("the recipient has no address any more"),
}
LETTER_STATUS_LABELS = {
    "awaiting_confirmation": lazy_gettext("awaiting confirmation"),
    "queued": lazy_gettext("waiting in the outbox"),
    "sent": lazy_gettext("sent"),
    "failed": lazy_gettext("could not be delivered"),
    "cancelled": lazy_gettext("cancelled"),
    "held": lazy_gettext("held for review"),
    "rejected": lazy_gettext("rejected"),
    "own_mail": lazy_gettext("for the supporter's mail program"),
    "opened": lazy_gettext("opened in a mail program"),
    "bounced": lazy_gettext("bounced: not delivered"),
}


def letter_status(status: str) -> str:
    """A letter's status as the reader reads it (the code itself when it has no label)."""
    return str(LETTER_STATUS_LABELS.get(status, status))


def campaign_status(status: str) -> str:
    """A campaign's status as the reader reads it."""
    return str(STATUS_LABELS.get(status, status))


def hold_label(reason: str | None) -> str:
    """Why a letter is held, as the reader reads it."""
    return str(HOLD_LABELS.get(reason or "", reason or ""))
