"""Organiser report pages: responsiveness per MP, party and committee with charts, CSV exports, the report for an
MP's office and the petition handover. No page here shows who a supporter is."""

from flask import Blueprint, render_template
from flask_babel import get_locale, lazy_gettext
from sqlalchemy import distinct, func, select
from werkzeug.wrappers import Response

from outreach.accounts.access import audit, protect
from outreach.agenda.said_voted import said_and_voted
from outreach.campaigns import letters, submit, texts
from outreach.campaigns.labels import letter_status
from outreach.campaigns.lifecycle import sent
from outreach.campaigns.models import Campaign, Letter
from outreach.campaigns.stats import letter_state
from outreach.campaigns.targets import member_target
from outreach.database import utcnow
from outreach.directory.models import Member
from outreach.downloads import csv_response, to_csv
from outreach.extensions import db
from outreach.replies.models import STANCES, Reply
from outreach.reports import charts, sources, stats, summary

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")
protect(bp)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


STATE_LABELS = {
    "answered": lazy_gettext("answered"),
    "unanswered": lazy_gettext("no answer within four weeks"),
    "pending": lazy_gettext("sent, within the four weeks"),
    "not_expected": lazy_gettext("sent, no reply expected"),
    "bounced": lazy_gettext("bounced: not delivered"),
    "waiting": lazy_gettext("waiting in the outbox"),
    "failed": lazy_gettext("could not be delivered"),
    "cancelled": lazy_gettext("cancelled"),
}


@bp.app_template_global()
def report_state(state: str) -> str:
    """A letter's state in a report; letters not handed to the outbox keep the campaign's words."""
    return str(STATE_LABELS[state]) if state in STATE_LABELS else letter_status(state)


def _audit_export(campaign: Campaign, what: str) -> None:
    """Exports are logged in the audit log."""
    audit("export report", campaign, what)
    db.session.commit()


@bp.get("/")
def index() -> str:
    """The campaigns to report on."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())).all()
    return render_template("reports/index.html", campaigns=campaigns)


def _rate_chart(groups: dict[str, stats.Responsiveness]) -> list[charts.RateRow]:
    rows = [
        (label, numbers.rate, numbers.interval, numbers.counted)
        for label, numbers in sorted(groups.items(), key=lambda item: -(item[1].rate or 0))
        if numbers.enough and numbers.rate is not None and numbers.interval is not None
    ]
    return charts.rate_rows(rows)


@bp.get("/<int:campaign_id>")
def show(campaign_id: int) -> str:
    """A campaign's responsiveness: letters per day and state, reply rates per party, committee and MP."""
    campaign = db.get_or_404(Campaign, campaign_id)
    report = summary.summary(campaign.id, utcnow())
    members = report.named_members()
    return render_template(
        "reports/show.html",
        campaign=campaign,
        report=report,
        days=report.days,
        day_bars=charts.day_bars(report.days),
        states=report.states,
        party_chart=_rate_chart(report.parties),
        members=members,
        stances=STANCES,
        chart=charts,
        said_voted=said_and_voted(campaign.id, members),
        **_sources(campaign.id),
    )


def _sources(campaign_id: int) -> dict:
    """Where supporters came from, for the report page: the sources under their kind, and per kind with letters
    sent a chart of them per day."""
    found = sources.sources(campaign_id)
    groups = found.by_kind()
    return {
        "source_groups": groups,
        "source_kinds": sources.KIND_LABELS,
        "source_charts": [
            (kind, charts.day_bars(days))
            for kind, group in groups
            if any(source.total.letters for source in group) and (days := found.kind_days(kind))
        ],
    }


@bp.get("/<int:campaign_id>/sources.csv")
def sources_csv(campaign_id: int) -> Response:
    """Per source and day: submissions, confirmed submissions, letters sent and members reached."""
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = sources.csv_rows(sources.sources(campaign.id))
    _audit_export(campaign, "sources.csv")
    return csv_response(to_csv(sources.CSV_COLUMNS, rows), f"{campaign.slug}-sources.csv")


MEMBER_COLUMNS = (
    "member",
    "party",
    "letters_sent",
    "counted",
    "answered",
    "pending",
    "reply_rate_percent",
    "ci95_low_percent",
    "ci95_high_percent",
    "median_days_to_answer",
    *(f"stance_{stance}" for stance in (*STANCES, "untagged")),
)


def _member_row(member: Member, numbers: stats.Responsiveness) -> list:
    shown = numbers.enough
    low, high = numbers.interval if shown and numbers.interval else (None, None)
    return [
        member.name,
        member.party.abbreviation if member.party else "",
        numbers.sent,
        numbers.counted,
        numbers.answered,
        numbers.pending,
        _percent(numbers.rate if shown else None),
        _percent(low),
        _percent(high),
        _days(numbers.median_days),
        *(numbers.stances.get(stance, 0) for stance in (*STANCES, "untagged")),
    ]


@bp.get("/<int:campaign_id>/members.csv")
def members_csv(campaign_id: int) -> Response:
    """Per MP: letters, reply rate with its interval (from REPORT_MIN_LETTERS letters on), time to answer, stances."""
    campaign = db.get_or_404(Campaign, campaign_id)
    report = summary.summary(campaign.id, utcnow())
    rows = [_member_row(member, numbers) for member, numbers in report.named_members()]
    _audit_export(campaign, "members.csv")
    return csv_response(to_csv(MEMBER_COLUMNS, rows), f"{campaign.slug}-members.csv")


@bp.get("/<int:campaign_id>/letters.csv")
def letters_csv(campaign_id: int) -> Response:
    """One row per letter: to whom, when it went, what became of it. Without the supporter's identity or text."""
    campaign = db.get_or_404(Campaign, campaign_id)
    report = stats.report(campaign.id, utcnow())
    members = report.member_rows
    rows = []
    for letter in report.facts:
        member = members.get(letter.member_id) if letter.member_id else None
        rows.append(
            [
                letter.id,
                member.name if member else letter.recipient,
                member.party.abbreviation if member and member.party else "",
                letter_state(letter.status, letter.delivery),
                letter.delivery or "",
                letter.sent_at.isoformat(timespec="seconds") if letter.sent_at else "",
                letter.outcome,
                letter.first_answer_at.isoformat(timespec="seconds") if letter.first_answer_at else "",
                _days(letter.days_to_answer),
                ";".join(stance or "untagged" for stance in letter.stances),
                letter.survey or "",
            ]
        )
    header = (
        "letter_id",
        "member",
        "party",
        "letter_status",
        "delivery",
        "sent_at_utc",
        "outcome",
        "first_answer_at_utc",
        "days_to_answer",
        "stances",
        "survey_answer",
    )
    _audit_export(campaign, "letters.csv")
    return csv_response(to_csv(header, rows), f"{campaign.slug}-letters.csv")


@bp.get("/<int:campaign_id>/replies.csv")
def replies_csv(campaign_id: int) -> Response:
    """One row per reply: when, from which MP, what kind, how it was linked, its stance and note (not its text)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    replies = db.session.scalars(select(Reply).where(Reply.campaign_id == campaign.id).order_by(Reply.received_at))
    replies = list(replies)
    members = stats.members_of({reply.member_id for reply in replies if reply.member_id})
    rows = [
        [
            reply.id,
            reply.received_at.isoformat(timespec="seconds"),
            reply.source,
            reply.channel,
            reply.kind,
            reply.matched_by or "",
            members[reply.member_id].name if reply.member_id in members else "",
            reply.letter_id or "",
            reply.status_code or "",
            reply.stance or "",
            reply.note or "",
        ]
        for reply in replies
    ]
    header = (
        "reply_id",
        "received_at_utc",
        "source",
        "channel",
        "kind",
        "matched_by",
        "member",
        "letter_id",
        "status_code",
        "stance",
        "note",
    )
    _audit_export(campaign, "replies.csv")
    return csv_response(to_csv(header, rows), f"{campaign.slug}-replies.csv")


@bp.get("/<int:campaign_id>/members/<int:member_id>")
def office(campaign_id: int, member_id: int) -> str:
    """What an MP's office received from this campaign: letters per week, in total, and the campaign's letter as
    they received it (the supporter's own words differ per letter; no supporter is named). Printable."""
    campaign = db.get_or_404(Campaign, campaign_id)
    member = db.get_or_404(Member, member_id)
    report = stats.report(campaign.id, utcnow(), member.id)
    language = "en" if str(get_locale()) == "en" and campaign.body_en else "nl"
    subject, body = submit.template(campaign, language)
    sample = submit.render(campaign, member_target(member), language, subject, body, "[…]", None)
    weeks = stats.per_period(report.facts, days=7)
    return render_template(
        "reports/office.html",
        campaign=campaign,
        member=member,
        numbers=report.overall,
        weeks=weeks,
        week_bars=charts.day_bars(weeks),
        sample=sample,
    )


@bp.get("/<int:campaign_id>/handover")
def handover(campaign_id: int) -> str:
    """The petition handover: what the campaign asks, how many wrote, to whom, per party and committee. Printable;
    counts only, since supporters agreed to write to their MPs, not to be listed."""
    campaign = db.get_or_404(Campaign, campaign_id)
    report = summary.summary(campaign.id, utcnow())
    return render_template(
        "reports/handover.html",
        campaign=campaign,
        report=report,
        supporters=_supporters(campaign.id),
        members=report.reached_members(),
        letter=handover_letter(campaign),
    )


# The handover shows the campaign's letter to the House as a whole: no member's name, no supporter's.
HANDOVER_SALUTATION = {"nl": "Geachte leden van de Tweede Kamer,", "en": "Dear Members of the House,"}


def handover_letter(campaign: Campaign, language: str = "nl") -> str:
    """The campaign's letter as the House reads it in the handover: the salutation addresses all members, and the
    lines naming one member or one supporter are left out, so no {placeholder} is ever printed."""
    _subject, body = submit.template(campaign, language)
    values = dict.fromkeys(letters.PLACEHOLDERS, "")
    values["salutation"] = HANDOVER_SALUTATION[language]
    values["campaign_title"] = texts.title(campaign, language)
    return letters.fill(body, values).strip()


def _supporters(campaign_id: int) -> int:
    """Supporters with at least one letter sent."""
    return db.session.scalar(select(func.count(distinct(Letter.supporter_id))).where(sent(campaign_id))) or 0


@bp.get("/<int:campaign_id>/handover.csv")
def handover_csv(campaign_id: int) -> Response:
    """The handover's numbers per MP: letters sent to each."""
    campaign = db.get_or_404(Campaign, campaign_id)
    report = summary.summary(campaign.id, utcnow())
    rows = [
        [member.name, member.party.abbreviation if member.party else "", numbers.sent]
        for member, numbers in report.reached_members()
    ]
    _audit_export(campaign, "handover.csv")
    return csv_response(to_csv(("member", "party", "letters"), rows), f"{campaign.slug}-handover.csv")
