"""Where supporters came from: per source (the `ref` on the campaign link a supporter arrived by) and per day, the
submissions, the confirmed submissions, the letters sent and the members those letters reached.

A source is `share:<channel>` (a share link from the thank-you page), `poster:<name>` (a poster's QR code),
`embed:<host>` (the form on a partner's website), anything else as typed, or none ("direct"). A submission's day is
the day it was filled in, in the configured time zone; its letters count on that day too, once sent
(`outreach.campaigns.lifecycle.sent`). Two grouped queries, whose rows do not grow with the letters sent.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext
from sqlalchemy import func, select

from outreach.campaigns.lifecycle import sent
from outreach.campaigns.models import Letter, Submission
from outreach.campaigns.sharing import CHANNELS
from outreach.extensions import db
from outreach.outbox.pacing import local_now
from outreach.reports import stats

SHARE, POSTER, EMBED, OTHER, DIRECT = "share", "poster", "embed", "other", "direct"
KINDS = (SHARE, POSTER, EMBED, OTHER, DIRECT)
KIND_LABELS = {
    SHARE: lazy_gettext("Shared links"),
    POSTER: lazy_gettext("Posters"),
    EMBED: lazy_gettext("Embedded on other websites"),
    OTHER: lazy_gettext("Other links"),
    DIRECT: lazy_gettext("Direct (no source)"),
}
CHANNEL_LABELS = dict(CHANNELS)


def kind_of(ref: str | None) -> tuple[str, str]:
    """A source's kind and the part after its prefix: ("share", "whatsapp"), ("other", "partner"), ("direct", "")."""
    if not ref:
        return DIRECT, ""
    prefix, _colon, rest = ref.partition(":")
    if rest and prefix in (SHARE, POSTER, EMBED):
        return prefix, rest
    return OTHER, ref


def label(ref: str | None) -> str:
    """A source as an organiser reads it: "WhatsApp", "partner.example", "Direct (no source)"."""
    kind, rest = kind_of(ref)
    if kind == DIRECT:
        return str(KIND_LABELS[DIRECT])
    if kind == SHARE:
        return str(CHANNEL_LABELS.get(rest, rest))
    return rest


@dataclass
class Numbers:
    submissions: int = 0
    confirmed: int = 0
    letters: int = 0
    members: set[int] = field(default_factory=set)

    @property
    def reached(self) -> int:
        return len(self.members)


@dataclass
class Source:
    ref: str | None
    kind: str
    label: str
    total: Numbers = field(default_factory=Numbers)
    days: dict[date, Numbers] = field(default_factory=lambda: defaultdict(Numbers))


@dataclass
class Sources:
    sources: list[Source]

    def by_kind(self) -> list[tuple[str, list[Source]]]:
        """The sources under their kind, kinds in a fixed order, sources by letters sent (most first)."""
        groups: dict[str, list[Source]] = defaultdict(list)
        for source in self.sources:
            groups[source.kind].append(source)
        return [(kind, groups[kind]) for kind in KINDS if kind in groups]

    def kind_days(self, kind: str) -> list[tuple[date, int]]:
        """Letters sent per day from one kind of source, every day of the campaign's first to last submission."""
        counts: Counter = Counter()
        for source in self.sources:
            for day, numbers in source.days.items():
                counts[day] += numbers.letters if source.kind == kind else 0
        return stats.periods(counts)


def _local_day(text: str) -> date:
    return local_now(datetime.fromisoformat(text)).date()


def sources(campaign_id: int) -> Sources:
    """Every source of the campaign with its numbers in total and per day."""
    found: dict[str | None, Source] = {}

    def source(ref: str | None) -> Source:
        if ref not in found:
            found[ref] = Source(ref, kind_of(ref)[0], label(ref))
        return found[ref]

    minute = stats.moment_text(Submission.created_at)
    for ref, text, submissions, confirmed in db.session.execute(
        select(Submission.ref, minute, func.count(), func.count(Submission.confirmed_at))
        .where(Submission.campaign_id == campaign_id)
        .group_by(Submission.ref, minute)
    ):
        numbers = source(ref).days[_local_day(text)]
        numbers.submissions += submissions
        numbers.confirmed += confirmed
    for ref, text, member_id, letters in db.session.execute(
        select(Submission.ref, minute, Letter.member_id, func.count())
        .join(Submission, Submission.id == Letter.submission_id)
        .where(sent(campaign_id))
        .group_by(Submission.ref, minute, Letter.member_id)
    ):
        numbers = source(ref).days[_local_day(text)]
        numbers.letters += letters
        if member_id is not None:
            numbers.members.add(member_id)
    for row in found.values():
        for numbers in row.days.values():
            row.total.submissions += numbers.submissions
            row.total.confirmed += numbers.confirmed
            row.total.letters += numbers.letters
            row.total.members |= numbers.members
    ordered = sorted(found.values(), key=lambda row: (-row.total.letters, -row.total.submissions, row.label))
    return Sources(ordered)


CSV_COLUMNS = ("kind", "source", "day", "submissions", "confirmed_submissions", "letters_sent", "members_reached")


def csv_rows(report: Sources) -> list[list]:
    """One row per source and day (days with a submission), then one per source for all days ("total")."""
    rows = []
    for kind, group in report.by_kind():
        for row in group:
            ref = row.ref or ""
            for day, numbers in sorted(row.days.items()):
                rows.append([kind, ref, day.isoformat(), *_counts(numbers)])
            rows.append([kind, ref, "total", *_counts(row.total)])
    return rows


def _counts(numbers: Numbers) -> list[int]:
    return [numbers.submissions, numbers.confirmed, numbers.letters, numbers.reached]
