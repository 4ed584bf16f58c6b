"""What kind of message came back: a delivery report, an automatic reply or acknowledgement, or a real answer."""

import re

from outreach.replies.models import ACKNOWLEDGEMENT, ANSWER, AUTO_REPLY, BOUNCE, DELAY, REPORT
from outreach.replies.parsing import Mail
from outreach.replies.text import strip_history

# Subjects and texts of out-of-office replies, as Outlook/Exchange, Gmail and others write them in Dutch and English.
OUT_OF_OFFICE = re.compile(
    r"automatisch antwoord|automatic reply|auto[- ]?reply|autoreply|automatische? (reactie|beantwoording)"
    r"|afwezig|out of (the )?office|niet (aanwezig|op kantoor|bereikbaar)|met (vakantie|verlof)|on (holiday|leave)"
    r"|abwesenheit|i am away|i'?m away|ik ben (afwezig|er niet)",
    re.IGNORECASE,
)
# Acknowledgements of receipt: "we have your e-mail", nothing more.
ACKNOWLEDGED = re.compile(
    r"ontvangstbevestiging|bevestiging van ontvangst|in goede orde ontvangen|uw (e-?mail|bericht) is ontvangen"
    r"|we hebben uw (e-?mail|bericht) ontvangen|wij hebben uw (e-?mail|bericht)( \w+){0,3} ontvangen"
    r"|(we|i) ha(ve|s) received your|acknowledg(e)?ment of receipt"
    r"|this is an automatic(ally generated)? (message|reply)"
    r"|dit is een automatisch (gegenereerd )?bericht",
    re.IGNORECASE,
)
# In a subject only at its start (after any "Re:"/"Antw:"), so a letter about "afwezige leerlingen" or "verlof"
# can still be answered.
PREFIXES = re.compile(r"^\s*((re|antw|aw|fw|fwd|wg|doorst)\s*:\s*)+", re.IGNORECASE)
AUTOMATIC_SUBJECT = re.compile(
    r"^(automatisch antwoord|automatic reply|auto[- ]?reply|autoreply|automatische? (reactie|beantwoording)"
    r"|afwezig|afwezigheid|out of (the )?office|niet (aanwezig|op kantoor|bereikbaar)|abwesend|abwesenheit)\b",
    re.IGNORECASE,
)
ACKNOWLEDGED_SUBJECT = re.compile(
    r"^(ontvangstbevestiging|bevestiging van ontvangst|acknowledg(e)?ment|we have received|wij hebben .* ontvangen)",
    re.IGNORECASE,
)
THANKS = re.compile(r"(bedankt|dank|thank you|thanks) (u |je )?(wel )?(voor|for) (uw|je|your)", re.IGNORECASE)
SHORT = 600  # characters: an automatic acknowledgement is short; an answer that thanks first goes on


def is_automatic(headers: dict[str, str]) -> bool:
    """RFC 3834's Auto-Submitted (anything but "no"), and the headers Exchange and older responders set instead."""
    submitted = headers.get("Auto-Submitted", "").strip().lower()
    if submitted and submitted != "no":
        return True
    if headers.get("X-Autoreply") or headers.get("X-Autorespond") or headers.get("X-Auto-Response-Suppress"):
        return True
    return headers.get("Precedence", "").strip().lower() in ("auto_reply", "bulk", "junk")


def classify(mail: Mail) -> str:
    """The kind of a parsed message (see `replies.models.KINDS`)."""
    if mail.report is not None:
        status = mail.report.status or ""
        if status.startswith("5"):
            return BOUNCE
        if status.startswith("4"):
            return DELAY
        return REPORT
    subject = PREFIXES.sub("", mail.subject)
    body = strip_history(mail.forwarded.text if mail.forwarded else mail.text)[:3000]
    if AUTOMATIC_SUBJECT.match(subject):
        return AUTO_REPLY
    if ACKNOWLEDGED_SUBJECT.match(subject):
        return ACKNOWLEDGEMENT
    if is_automatic(mail.automatic_headers):
        if ACKNOWLEDGED.search(body) or (THANKS.search(body) and not OUT_OF_OFFICE.search(body)):
            return ACKNOWLEDGEMENT
        return AUTO_REPLY
    if len(body) < SHORT and ACKNOWLEDGED.search(body):
        return ACKNOWLEDGEMENT
    return ANSWER
