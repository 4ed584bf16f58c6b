"""Organiser passwords: scrypt hashes, a minimum length, and no common or guessable passwords."""

import secrets

from flask_babel import lazy_gettext
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
# Checked when an e-mail address is unknown, so that a wrong address costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


def password_problem(password: str, email: str = "") -> str | None:
    """Why `password` may not be used, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return str(lazy_gettext("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > 256:
        return str(lazy_gettext("Use at most 256 characters."))
    from zxcvbn import zxcvbn  # here: its word lists are 12 MB that no public page needs

    # zxcvbn knows the common-password lists and patterns (keyboard walks, years, the user's own address).
    if zxcvbn(password[:100], user_inputs=[email, *email.split("@")])["score"] < 3:
        return str(lazy_gettext("This password is too common or too easy to guess."))
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown account) it still does the same work and says no."""
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def generate_password() -> str:
    """A strong one-time password to hand to a new organiser."""
    return secrets.token_urlsafe(15)
