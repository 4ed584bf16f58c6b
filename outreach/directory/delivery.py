"""What the outbox asks the directory before and after a letter: may this member still be written to, at which
address, and which addresses turned out not to exist. Also the opt-out link an MP's office finds under each letter."""

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from outreach.database import utcnow
from outreach.directory.models import Member, MemberOverride, UndeliverableAddress
from outreach.extensions import db

# Why a letter to a member is held instead of sent (the outbox shows these to organisers).
LEFT_HOUSE = "left_house"
DO_NOT_WRITE = "do_not_write"
NO_ADDRESS = "no_address"
UNDELIVERABLE = "undeliverable"


def letter_block(member_id: int) -> tuple[str | None, str | None]:
    """(reason to hold a letter to this member or None, the address to send it to now).

    Checked just before each letter is sent, so a member who left the House, asked not to be written to, or whose
    address bounced since the letter was written, gets nothing; a corrected address is used at once.
    """
    member = db.session.get(Member, member_id)
    if member is None or not member.is_current:
        return LEFT_HOUSE, None
    if member.do_not_write:
        return DO_NOT_WRITE, None
    address = member.effective_email
    if not address:
        return NO_ADDRESS, None
    if is_undeliverable(address):
        return UNDELIVERABLE, address
    return None, address


def refusal(address: str | None) -> UndeliverableAddress | None:
    """The mail server's permanent refusal of `address`, if there was one."""
    if not address:
        return None
    return db.session.scalar(select(UndeliverableAddress).where(_same_address(address)))


def is_undeliverable(address: str) -> bool:
    return refusal(address) is not None


def flag_undeliverable(address: str, reason: str, when: datetime | None = None) -> None:
    """Record that the mail server refused `address` for good (the caller commits)."""
    when = when or utcnow()
    row = db.session.scalar(select(UndeliverableAddress).where(_same_address(address)))
    if row is None:
        db.session.add(
            UndeliverableAddress(email=address.lower(), reason=reason[:500], first_seen_at=when, last_seen_at=when)
        )
    else:
        row.reason, row.last_seen_at, row.refusals = reason[:500], when, row.refusals + 1


def clear_undeliverable(address: str) -> bool:
    """Forget a refusal (an organiser checked the address); True when there was one."""
    return db.session.execute(delete(UndeliverableAddress).where(_same_address(address))).rowcount > 0


def undeliverable_addresses() -> list[UndeliverableAddress]:
    return list(db.session.scalars(select(UndeliverableAddress).order_by(UndeliverableAddress.last_seen_at.desc())))


def _same_address(address: str):
    return func.lower(UndeliverableAddress.email) == address.lower()


def _opt_out_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="member-opt-out")


def opt_out_token(member_id: int) -> str:
    """The token in the opt-out link under every letter to this member (signed, so nobody can opt out another)."""
    return _opt_out_serializer().dumps(member_id)


def member_for_opt_out(token: str) -> Member | None:
    try:
        member_id = _opt_out_serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Member, member_id) if isinstance(member_id, int) else None


def opt_out(member: Member, note: str) -> None:
    """Stop all letters to `member` (the caller commits); queued letters are then held by the outbox."""
    if member.override is None:
        member.override = MemberOverride()
    member.override.do_not_write = True
    member.override.note = "\n".join(filter(None, [member.override.note, note]))


def members_at(address: str) -> list[int]:
    """The members whose address (corrected or the Kamer's) is this one: who a reply from it comes from."""
    address = address.strip().lower()
    effective = func.lower(func.coalesce(MemberOverride.email, Member.email))
    return list(
        db.session.scalars(
            select(Member.id)
            .outerjoin(MemberOverride, MemberOverride.member_id == Member.id)
            .where(effective == address)
        )
    )
