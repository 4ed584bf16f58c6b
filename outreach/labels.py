"""Words for the codes and stored sentences organisers see: roles, audit actions, records, fields, stored messages.

Codes stay in the database as they are (scripts and tests rely on them); pages show them through these mappings,
in the reader's language. Messages stored as English sentences (a sync's error, why sending paused) are written
from templates marked with `N_`, so a page can recognise the template and show it translated, for old rows too.
"""

import re
from collections.abc import Iterable, Mapping

from flask import Flask
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString


def N_(message: str) -> str:  # named so because pybabel extracts N_ by default
    """Mark a stored sentence for the catalogue; it is translated where it is shown, not where it is written."""
    return message


ROLES = {"organiser": lazy_gettext("organiser"), "admin": lazy_gettext("admin")}

# Every action written to the audit log, by the code it is stored under.
AUDIT_ACTIONS = {
    "log in": lazy_gettext("logged in"),
    "log out": lazy_gettext("logged out"),
    "add account": lazy_gettext("added an account"),
    "activate account": lazy_gettext("switched an account on"),
    "deactivate account": lazy_gettext("switched an account off"),
    "campaign created": lazy_gettext("created a campaign"),
    "campaign edited": lazy_gettext("edited a campaign"),
    "campaign status": lazy_gettext("changed a campaign's status"),
    "viewed letter": lazy_gettext("read a letter held for review"),
    "released letters": lazy_gettext("released held letters"),
    "rejected letters": lazy_gettext("rejected held letters"),
    "edit member corrections": lazy_gettext("corrected a member"),
    "edit committee address": lazy_gettext("changed a committee address"),
    "add extra target": lazy_gettext("added an extra recipient"),
    "edit extra target": lazy_gettext("edited an extra recipient"),
    "start directory sync": lazy_gettext("started a directory sync"),
    "agenda watch added": lazy_gettext("added something to watch on the agenda"),
    "agenda watch removed": lazy_gettext("stopped watching something on the agenda"),
    "agenda match confirmed": lazy_gettext("confirmed an agenda match"),
    "agenda match dismissed": lazy_gettext("dismissed an agenda match"),
    "agenda action created": lazy_gettext("asked supporters to write before a debate"),
    "agenda ledger published": lazy_gettext("published the outcome ledger on the campaign page"),
    "agenda ledger withdrawn": lazy_gettext("took the outcome ledger off the campaign page"),
    "agenda action closed": lazy_gettext("closed a “write before this debate” action"),
    "export directory": lazy_gettext("exported the directory"),
    "import member corrections": lazy_gettext("imported corrections"),
    "directory.opt_out": lazy_gettext("a member's office opted out"),
    "directory.clear_undeliverable": lazy_gettext("cleared a refused address"),
    "outbox.pause": lazy_gettext("paused sending"),
    "outbox.resume": lazy_gettext("resumed sending"),
    "outbox.retry": lazy_gettext("retried a message"),
    "outbox.release": lazy_gettext("released a message"),
    "outbox.cancel": lazy_gettext("cancelled a message"),
    "outbox.campaign_hold": lazy_gettext("held a campaign's messages"),
    "outbox.campaign_release": lazy_gettext("released a campaign's messages"),
    "outbox.cancel_supporter": lazy_gettext("cancelled a supporter's letters"),
    "outbox.domain_test": lazy_gettext("sent a test message from the domain check"),
    "reply tagged": lazy_gettext("tagged a reply"),
    "reply kind": lazy_gettext("changed a reply's kind"),
    "reply assigned": lazy_gettext("linked a reply to a letter"),
    "reply logged": lazy_gettext("logged a reply"),
    "viewed raw reply": lazy_gettext("read an unassigned message"),
    "export report": lazy_gettext("exported a report"),
    "privacy export": lazy_gettext("handed over a supporter's data"),
    "privacy erasure": lazy_gettext("erased a supporter's data"),
    "change password": lazy_gettext("changed their password"),
    "send password reset link": lazy_gettext("was sent a password-reset link"),
    "reset password": lazy_gettext("reset their password by e-mail"),
    "enrol second factor": lazy_gettext("set up a second factor"),
    "remove second factor": lazy_gettext("switched their second factor off"),
    "reset second factor": lazy_gettext("removed an account's second factor"),
    "new recovery codes": lazy_gettext("made new recovery codes"),
    "use recovery code": lazy_gettext("logged in with a recovery code"),
    "failed second-factor code": lazy_gettext("typed a wrong second-factor code"),
    "organisation edited": lazy_gettext("edited the organisation's details"),
    "campaign image": lazy_gettext("changed a campaign's picture"),
    "campaign image removed": lazy_gettext("removed a campaign's picture"),
}

# The kinds of record an audit entry points at (the model's class name).
RECORD_TYPES = {
    "Account": lazy_gettext("account"),
    "Campaign": lazy_gettext("campaign"),
    "Committee": lazy_gettext("committee"),
    "ExtraTarget": lazy_gettext("extra recipient"),
    "Letter": lazy_gettext("letter"),
    "Member": lazy_gettext("member"),
    "Organisation": lazy_gettext("organisation"),
    "OutboxMessage": lazy_gettext("message"),
    "PrivacyRequest": lazy_gettext("privacy request"),
    "Reply": lazy_gettext("reply"),
    "Submission": lazy_gettext("letters of a supporter"),
    "SyncRun": lazy_gettext("sync"),
}

# Fields of a member or committee, as corrections and imports name them.
FIELDS = {
    "email": lazy_gettext("e-mail address"),
    "salutation": lazy_gettext("salutation"),
    "note": lazy_gettext("note"),
    "do_not_write": lazy_gettext("do not write"),
}

# Details the audit log stores as English sentences.
AUDIT_DETAILS = (
    N_("role %(role)s"),
    N_("letter %(id)s"),
    N_("%(count)s letters"),
    N_("%(count)s cancelled"),
    N_("campaign %(id)s: %(count)s"),
    N_("erased"),
    N_("nothing held"),
    N_("%(count)s left"),
    N_("setting up"),
    N_("details"),
    N_("details, new logo"),
    N_("details, logo removed"),
    N_("new picture"),
    N_("description"),
)


def label(code: str | None, mapping: Mapping[str, LazyString]) -> str:
    """The label of `code`; an unknown code is shown as it is (better than nothing), no code as a dash."""
    if not code:
        return "–"
    return str(mapping.get(code, code))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)[sd]", template)
    expression = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts))
    return re.compile(expression + r"\Z", re.DOTALL)


def stored_text(text: str | None, templates: Iterable[str], words: Mapping[str, LazyString] | None = None) -> str:
    """A stored English sentence in the reader's language, when it was written from one of `templates`.

    The parameters are translated the same way (a retry's reason inside a sync error), and each word of a
    comma-separated list of codes through `words`; anything else (a mail server's own answer) stays as it is.
    """
    if not text:
        return ""
    words = words or {}
    if all(part in words for part in text.split(", ")):
        return ", ".join(str(words[part]) for part in text.split(", "))
    for template in templates:
        match = _pattern(template).match(text)
        if match:
            params = {name: stored_text(value, templates, words) for name, value in match.groupdict().items()}
            return gettext(template, **params)
    return text


def init_app(app: Flask) -> None:
    """Make the labels available to every template."""
    app.add_template_global(lambda role: label(role, ROLES), "role_label")
    app.add_template_global(lambda action: label(action, AUDIT_ACTIONS), "audit_action")
    app.add_template_global(lambda kind: label(kind, RECORD_TYPES), "record_type")
    app.add_template_global(lambda name: label(name, FIELDS), "field_label")
    app.add_template_global(
        lambda detail: stored_text(detail, AUDIT_DETAILS, {**FIELDS, **ROLES}) if detail else "", "audit_detail"
    )
