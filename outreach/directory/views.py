"""Public directory pages: the member finder, member, committee and party pages."""

from flask import abort, current_app, g, render_template, request
from flask_babel import force_locale, format_datetime, gettext, lazy_gettext

from outreach.accounts.access import audit
from outreach.database import begin_write, utcnow
from outreach.directory import bp, cache, delivery, hooks, names, queries
from outreach.directory.labels import PARTY_ROLE_LABELS, ROLE_LABELS, SEAT_ROLE_LABELS
from outreach.directory.models import Committee, CommitteeSeat, Member
from outreach.extensions import db

bp.add_app_template_filter(names.local_name)
bp.add_app_template_global(names.local_name)
bp.add_app_template_global(queries.seats_on)


@bp.app_template_global()
def seat_role(seat: CommitteeSeat) -> str:
    """A committee seat's role as the visitor reads it."""
    # Translated once per request (a page is in one language): a list of 150 members asks for hundreds of these.
    labels = g.get("seat_role_labels")
    if labels is None:
        labels = g.seat_role_labels = {role: str(label) for role, label in SEAT_ROLE_LABELS.items()}
    return labels["Plv. lid"] if seat.substitute else labels.get(seat.role, seat.role)


@bp.app_template_global()
def party_role(member: Member) -> str | None:
    """A member's role in their party group, when it is more than being a member."""
    if not member.party_role or member.party_role == "Lid":
        return None
    return str(PARTY_ROLE_LABELS.get(member.party_role, member.party_role))


@bp.app_context_processor
def directory_banner() -> dict[str, bool]:
    return {"directory_is_demo": queries.directory_is_demo()}


@bp.get("/members")
def list_members() -> str:
    """Find current members by name, party, committee and role."""

    def page() -> str:
        parties = queries.current_parties()
        committees = queries.active_committees()
        chosen = queries.parse_member_filter(
            request.args.to_dict(flat=True),
            [party.abbreviation for party, _ in parties],
            [committee.abbreviation for committee, _ in committees],
        )
        return render_template(
            "directory/members.html",
            members=queries.find_members(chosen),
            chosen=chosen,
            parties=parties,
            committees=committees,
            roles=ROLE_LABELS,
            total=sum(n for _, n in parties),
        )

    return cache.cached(page)


@bp.app_template_global()
def member_sections(member: Member) -> list:
    """What other rooms add to a member's page (their recent activity on the campaigns' subjects)."""
    return hooks.sections(member)


@bp.get("/members/<int:member_id>")
def show_member(member_id: int) -> str:
    """One member: party, committees with roles, and whether letters can reach them."""
    member = queries.member(member_id)
    if member is None:
        abort(404)
    seats = sorted(member.seats, key=lambda seat: (seat.substitute, names.local_name(seat.committee)))
    return render_template("directory/member.html", member=member, seats=seats)


@bp.get("/committees")
def list_committees() -> str:
    """All committees of the House with their number of members."""
    return render_template("directory/committees.html", committees=queries.active_committees())


@bp.get("/committees/<int:committee_id>")
def show_committee(committee_id: int) -> str:
    """One committee: its members by role and its address, if organisers entered one."""
    committee = db.get_or_404(Committee, committee_id)
    seats = queries.committee_seats(committee)
    groups = [
        (lazy_gettext("Chair"), [s for s in seats if s.is_chair]),
        (lazy_gettext("Vice-chair"), [s for s in seats if s.is_vice_chair]),
        (
            lazy_gettext("Full members"),
            [s for s in seats if not s.substitute and not (s.is_chair or s.is_vice_chair)],
        ),
        (lazy_gettext("Substitute members"), [s for s in seats if s.substitute]),
    ]
    return render_template("directory/committee.html", committee=committee, groups=groups, seats=seats)


@bp.get("/parties")
def list_parties() -> str:
    """The parties in the House with their seats."""
    return render_template("directory/parties.html", parties=queries.current_parties())


@bp.get("/parties/<abbreviation>")
def show_party(abbreviation: str) -> str:
    """One party and its current members."""
    matches = [
        (party, n) for party, n in queries.current_parties() if party.abbreviation.casefold() == abbreviation.casefold()
    ]
    if not matches:
        abort(404)
    members = queries.party_members([party.id for party, _ in matches])
    return render_template("directory/party.html", party=matches[0][0], members=members)


@bp.route("/opt-out/<token>", methods=["GET", "POST"])
def opt_out(token: str) -> str:
    """The link under every letter: an MP's office stops further letters via this site (GET asks, POST does it,
    so a mail scanner that opens links stops nothing)."""
    request.token_page = True  # type: ignore[attr-defined]
    member = delivery.member_for_opt_out(token) or abort(404)
    done = member.do_not_write
    if request.method == "POST" and not done:
        begin_write()
        # A note for the organisers, so in their language and time zone, whichever language the office reads.
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            note = gettext(
                "Opted out via the link under a letter on %(when)s.", when=format_datetime(utcnow(), "short")
            )
        delivery.opt_out(member, note)
        audit("directory.opt_out", member)
        db.session.commit()
        done = True
    return render_template("directory/opt_out.html", member=member, done=done)
