"""Signed tokens in campaign links and forms: each kind has its own salt, so one kind never passes for another.

The confirmation link carries only the submission's number (signed, not secret, and worthless without the
signature); that it works once is the database's doing: only a submission awaiting confirmation can be confirmed.
"""

import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_SALT = "campaign-confirm"
OWN_MAIL_SALT = "campaign-own-mail"
FORM_SALT = "campaign-letter-form"

VALID, EXPIRED, INVALID = "valid", "expired", "invalid"


def _timed(salt: str) -> URLSafeTimedSerializer:
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return URLSafeTimedSerializer(keys[::-1], salt=salt)  # itsdangerous signs with the last key, accepts all


def sign(value: int, salt: str) -> str:
    """A timed token carrying a number, for a link of the kind `salt` names (read back with `load`)."""
    return _timed(salt).dumps(value)


def confirmation(submission_id: int) -> str:
    """The token in the confirmation e-mail's link."""
    return sign(submission_id, CONFIRM_SALT)


def own_mail(submission_id: int) -> str:
    """The token of the page with the mail-program links of a letter the supporter sends themselves."""
    return sign(submission_id, OWN_MAIL_SALT)


def load(token: str, salt: str, max_age: int) -> tuple[str, int | None]:
    """(VALID, the number), (EXPIRED, None) or (INVALID, None) for a token from a link."""
    try:
        value = _timed(salt).loads(token, max_age=max_age)
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
