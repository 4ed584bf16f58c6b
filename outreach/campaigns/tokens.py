"""Signed tokens in campaign links and forms: each kind has its own salt, so one kind never passes for another.

The confirmation link carries only the submission's number (signed, not secret, and worthless without the
signature); that it works once is the database's doing: only a submission awaiting confirmation can be confirmed.
"""

import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_SALT = "campaign-confirm"
OWN_MAIL_SALT = "campaign-own-mail"
FORM_SALT = "campaign-letter-form"

VALID, EXPIRED, INVALID = "valid", "expired", "invalid"


def _timed(salt: str, now: float | None = None) -> URLSafeTimedSerializer:
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    signer = TimestampSigner if now is None else _signer_at(now)
    return URLSafeTimedSerializer(keys[::-1], salt=salt, signer=signer)  # signs with the last key, accepts all


def _signer_at(now: float) -> type[TimestampSigner]:
    """A signer whose clock reads `now` (seconds since the epoch): a link signed, or read, at a given moment."""

    class SignerAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now)

    return SignerAt


def sign(value: int, salt: str, now: float | None = None) -> str:
    """A timed token carrying a number, for a link of the kind `salt` names (read back with `load`), signed at
    `now` (seconds since the epoch; the present when not given)."""
    return _timed(salt, now).dumps(value)


def confirmation(submission_id: int, now: float | None = None) -> str:
    """The token in the confirmation e-mail's link."""
    return sign(submission_id, CONFIRM_SALT, now)


def own_mail(submission_id: int) -> str:
    """The token of the page with the mail-program links of a letter the supporter sends themselves."""
    return sign(submission_id, OWN_MAIL_SALT)


def load(token: str, salt: str, max_age: int, now: float | None = None) -> tuple[str, int | None]:
    """(VALID, the number), (EXPIRED, None) or (INVALID, None) for a token from a link, read at `now` (the present
    when not given)."""
    try:
        value = _timed(salt, now).loads(token, max_age=max_age)
    except SignatureExpired:
        return EXPIRED, None
    except BadSignature:
        return INVALID, None
    return (VALID, value) if isinstance(value, int) else (INVALID, None)


def form(issued_at: float | None = None, nonce: str | None = None) -> str:
    """The hidden token of a letter form: a one-time nonce and the time the form was first shown."""
    issued = time.time() if issued_at is None else issued_at
    payload = {"n": nonce or secrets.token_urlsafe(16), "t": int(issued)}
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT).dumps(payload)


def read_form(token: str) -> tuple[str, float] | None:
    """(nonce, issued at) from a letter form's token, or None when it was not ours."""
    try:
        payload = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str) or not isinstance(payload.get("t"), int):
        return None
    return payload["n"], float(payload["t"])
