"""The second factor: TOTP codes from an authenticator app (pyotp), one-time recovery codes, and who must have it."""

import hashlib
import secrets
import time
from urllib.parse import urlsplit

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from outreach.accounts.models import Account, RecoveryCode
from outreach.database import utcnow
from outreach.extensions import db

REQUIRE_CHOICES = ("admin", "all", "none")  # "none" only in the test suite or --debug: see check_config
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code read off paper is typed back without guessing.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def check_config(config: dict) -> None:
    """Refuse an unknown ACCOUNTS_REQUIRE_TOTP_FOR, and "none" on a real site: admins there always need a second
    factor; only the test suite (and a developer's --debug machine) may do without."""
    value = config["ACCOUNTS_REQUIRE_TOTP_FOR"]
    if value not in REQUIRE_CHOICES or (value == "none" and not (config.get("TESTING") or config.get("DEBUG"))):
        raise RuntimeError(f'OUTREACH_ACCOUNTS_REQUIRE_TOTP_FOR must be "admin" or "all", not {value!r}.')


def required(account: Account) -> bool:
    """Whether this account must have a second factor before it may use the organiser pages."""
    setting = current_app.config["ACCOUNTS_REQUIRE_TOTP_FOR"]
    return setting == "all" or (setting == "admin" and account.role == "admin")


def must_enrol(account: Account) -> bool:
    return required(account) and not account.has_second_factor


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(account: Account, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "Outreach"
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=f"Outreach {host}")


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG: drawn by the app itself, so the secret is never sent to a QR service."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, border=4, title=title, svgclass="qr-code"))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second step whose code `code` is (this one, or one either side for a slow phone clock), or None."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # ASCII: "²" is a digit to Python
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_totp(account: Account, code: str, now: float | None = None) -> bool:
    """Accept a code from the app once: a code of a step already used (or older) is refused, so a code seen over
    someone's shoulder cannot be used again. The update is conditional, so two requests racing with it cannot
    both win."""
    if not account.has_second_factor or not account.totp_secret:
        return False
    step = matching_step(account.totp_secret, code, now)
    if step is None:
        return False
    taken = db.session.execute(
        update(Account)
        .where(Account.id == account.id, or_(Account.totp_last_step.is_(None), Account.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken:
        account.totp_last_step = step
    return bool(taken)


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == 16


def new_recovery_codes(account: Account) -> list[str]:
    """Replace the account's recovery codes with ten new ones, returned once to be shown; 80 random bits each, so a
    plain SHA-256 of them is as safe to keep as a slow password hash and quick to check."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    db.session.add_all(RecoveryCode(account_id=account.id, code_hash=_hash(code)) for code in codes)
    return codes


def use_recovery_code(account: Account, code: str) -> bool:
    """Use one recovery code; each works once."""
    found = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.account_id == account.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)
        )
    )
    if found is None:
        return False
    return bool(
        db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == found, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def recovery_codes_left(account: Account) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
    )


def enable(account: Account, secret: str, step: int) -> list[str]:
    """Switch the second factor on with a secret confirmed by a code of `step`; returns the new recovery codes."""
    account.totp_secret = secret
    account.totp_enabled_at = utcnow()
    account.totp_last_step = step
    return new_recovery_codes(account)


def remove(account: Account) -> None:
    """Switch the second factor off and drop its recovery codes (its owner, an admin, `flask accounts reset-totp`)."""
    account.totp_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
