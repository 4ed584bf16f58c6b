"""What kind of message came back: a delivery report, an automatic reply or acknowledgement, or a real answer.

The rules (as docs/replies.md promises): a message marked automatic (by its headers or an automatic subject) that only
confirms receipt is an acknowledgement, any other automatic message is an automatic reply; a message without such
marks is still an acknowledgement or an out-of-office note when its short text says so in the wording these notes
use, in Dutch or English; everything else is an answer."""

import re

from outreach.replies.models import ACKNOWLEDGEMENT, ANSWER, AUTO_REPLY, BOUNCE, DELAY, REPORT
from outreach.replies.parsing import Mail
from outreach.replies.text import strip_history


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# Saying the writer is away: Outlook/Exchange, Gmail and others, in Dutch and English.
ABSENT = _phrases(
    r"\bafwezig",
    r"out of (the )?office",
    r"niet (aanwezig|op kantoor|bereikbaar)",
    r"\bmet (vakantie|verlof)|\bop vakantie",
    r"\bon (holiday|leave|vacation)",
    r"abwesen",
    r"\bi('m| am) (currently |now )?(away|out)",
    r"ik ben (momenteel |nu |op dit moment )?(afwezig|er niet)",
    r"\b(weer )?terug (op|vanaf) ",
    r"\b(returning|back in the office|back) on ",
    r"beperkte? toegang tot (mijn )?e-?mail|limited access to (my )?e-?mail",
)
# The same, in the stricter form an out-of-office note without automatic headers takes: away *until* or *from* a
# moment (a member who writes "I was absent from the debate" is answering).
ABSENT_UNTIL = _phrases(
    r"\b(afwezig|niet (aanwezig|op kantoor|bereikbaar)|met (vakantie|verlof)|op vakantie)"
    r" (tot|t/m|tot en met|van|vanaf|tussen)\b",
    r"\bik ben (tot|t/m|tot en met|van|vanaf) .{1,40}?(afwezig|niet (aanwezig|op kantoor|bereikbaar)|met verlof"
    r"|met vakantie|op vakantie)",
    r"\b(out of (the )?office|away|on (holiday|leave|vacation))( from \S+)? (until|till|through|returning)\b",
    r"\bi('m| am) (currently )?(out of (the )?office|away|on (holiday|leave|vacation))\b",
    r"\b(ik ben )?(weer )?terug (op|vanaf) (maandag|dinsdag|woensdag|donderdag|vrijdag|\d)",
)
# Confirming receipt, nothing more: "we have your e-mail".
RECEIVED = _phrases(
    r"ontvangstbevestiging",
    r"bevestiging van ontvangst",
    r"in goede orde ontvangen",
    r"uw (e-?mail|bericht|brief) is ontvangen",
    r"(we|wij) hebben uw (e-?mail|bericht|brief)( \w+){0,3} ontvangen",
    r"\bwe ha(ve|s) received your|has been received",
    r"acknowledg(e)?ment of receipt|confirm(s|ing)? (the )?receipt",
    r"this is an automatic(ally generated)? (message|reply|response|confirmation)",
    r"dit is een automatisch (gegenereerd |verzonden )?(bericht|antwoord)",
)
THANKS = re.compile(r"(bedankt|dank|thank you|thanks) (u |je )?(wel )?(voor|for) (uw|je|your)", re.IGNORECASE)
# In a subject only at its start (after any "Re:"/"Antw:"), so a letter about "afwezige leerlingen" or "verlof"
# can still be answered.
PREFIXES = re.compile(r"^\s*((re|antw|aw|fw|fwd|wg|doorst)\s*:\s*)+", re.IGNORECASE)
AUTOMATIC_SUBJECT = re.compile(
    r"^(automatisch antwoord|automatic reply|auto[- ]?reply|autoreply|automatische? (reactie|beantwoording)"
    r"|afwezig|afwezigheid|out of (the )?office|niet (aanwezig|op kantoor|bereikbaar)|abwesend|abwesenheit)\b",
    re.IGNORECASE,
)
ABSENT_SUBJECT = re.compile(
    r"^(afwezig|afwezigheid|out of (the )?office|niet (aanwezig|op kantoor|bereikbaar)|abwesend|abwesenheit)\b",
    re.IGNORECASE,
)
RECEIVED_SUBJECT = re.compile(
    r"^(ontvangstbevestiging|bevestiging van ontvangst|acknowledg(e)?ment|we have received|wij hebben .* ontvangen)",
    re.IGNORECASE,
)
SHORT = 600  # characters: an automatic note is short; an answer that thanks first goes on
OPENING = 400  # characters: where a note without automatic headers says what it is


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
    if RECEIVED_SUBJECT.match(subject):
        return ACKNOWLEDGEMENT
    if AUTOMATIC_SUBJECT.match(subject) or is_automatic(mail.automatic_headers):
        if ABSENT_SUBJECT.match(subject) or ABSENT.search(body):
            return AUTO_REPLY
        return ACKNOWLEDGEMENT if RECEIVED.search(body) or THANKS.search(body) else AUTO_REPLY
    if len(body) < SHORT:
        opening = body[:OPENING]
        if ABSENT_UNTIL.search(opening):
            return AUTO_REPLY
        if RECEIVED.search(opening):
            return ACKNOWLEDGEMENT
    return ANSWER
