"""Checks shared by forms, imports and the sync."""

import re
import unicodedata

from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email
from flask import current_app, has_app_context
from flask_babel import LazyString, lazy_gettext
from wtforms import Field, Form, ValidationError

# An RFC 2047 encoded word: legal characters in an address, but mail servers refuse it (553) and mail programs
# would show something else than what the supporter typed.
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)
# Direction marks and overrides, zero-width characters, the byte-order mark, line and paragraph separators: an
# address holding one looks like another address, or like nothing at all.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

NOT_AN_ADDRESS = lazy_gettext("Enter one e-mail address, like name@tweedekamer.nl.")
INVISIBLE = lazy_gettext(
    "The e-mail address holds an invisible character (such as a direction mark), often picked up when copying it. "
    "Please type the address again."
)
ENCODED_WORD = lazy_gettext("An e-mail address cannot contain “=?…?=”. Please type the address itself.")
NON_ASCII_LOCAL_PART = lazy_gettext(
    "Our mail server cannot send to an address with letters such as ü or ş before the @. "
    "Please use another address if you have one."
)
NO_MAIL_DOMAIN = lazy_gettext("No e-mail can be delivered to the part after the @. Please check it.")


def address_problem(value: str, *, typed: bool = True, form: bool = False) -> LazyString | None:
    """What keeps `value` from being one address the outbox can deliver to, in the visitor's language; None when
    it can.

    Refused: anything email-validator (RFC 5321/5322/6531, IDNA 2008) refuses, invisible characters, encoded words,
    and a non-ASCII part before the @ unless the relay takes SMTPUTF8 (`MAIL_SMTPUTF8`). Domains with letters like
    ü are fine: they go out as IDNA. `typed=False` is the check again when a message is queued: the address may
    be one of the site's own (`outreach.localhost`) or accepted while the relay took SMTPUTF8, and the outbox
    explains it when the relay cannot take it now. Only a `form` looks the domain up in DNS, and only with
    `EMAIL_CHECK_DELIVERABILITY` on (never a sync or an import, which would look up hundreds).
    """
    if has_control_characters(value):  # line breaks above all: more than one line is more than one address
        return NOT_AN_ADDRESS
    if has_invisible_characters(value):
        return INVISIBLE
    if _ENCODED_WORD.search(value):
        return ENCODED_WORD
    config = current_app.config if has_app_context() else {}
    try:
        valid = validate_email(
            value,
            allow_smtputf8=True,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            globally_deliverable=typed,
            check_deliverability=typed and form and bool(config.get("EMAIL_CHECK_DELIVERABILITY")),
        )
    except EmailUndeliverableError:
        return NO_MAIL_DOMAIN
    except EmailNotValidError:
        return NOT_AN_ADDRESS
    if typed and valid.smtputf8 and not config.get("MAIL_SMTPUTF8"):
        return NON_ASCII_LOCAL_PART
    return None


def is_email(value: str, *, typed: bool = True) -> bool:
    """One e-mail address the outbox can deliver to, safe to put in a mail header."""
    return address_problem(value, typed=typed) is None


def wire_address(address: str) -> str:
    """The address as it goes to the mail server: the domain in IDNA 2008 (münchen.de → xn--mnchen-3ya.de), the part
    before the @ as it is. (Python's own "idna" codec is IDNA 2003, which turns straße.de into strasse.de.)"""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        valid = validate_email(address, allow_smtputf8=True, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError:
        return address  # queued before it was checked like this: the send fails, explained, and nothing else does
    return f"{local}@{valid.ascii_domain}"


def needs_smtputf8(address: str) -> bool:
    """True for an address that only a relay announcing SMTPUTF8 can take (letters like ü before the @)."""
    return not address.rpartition("@")[0].isascii()


def email_address(_form: Form, field: Field) -> None:
    """WTForms validator: empty, or one e-mail address we can deliver to (a clear reason when not)."""
    if field.data:
        problem = address_problem(field.data.strip(), form=True)
        if problem is not None:
            raise ValidationError(problem)


def has_invisible_characters(value: str) -> bool:
    """True when `value` holds a control, format (bidi, zero-width, BOM) or line/paragraph separator character."""
    return any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in value)


def has_control_characters(value: str) -> bool:
    """True when `value` holds a line break or other control character (C0, DEL, C1, Unicode line separators).

    Every value that can reach a mail header is checked with this, at the form and again when a message is built:
    Python's own guard against header injection is incomplete on the path Flask-Mail uses.
    """
    return any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029" for ch in value)


# Embeddings, overrides and isolates turn the text after them around on screen: in a sender's name or a subject they
# could make "Name via Campaign" read as something else in a member's inbox. Marks (U+200E, U+200F) stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(_form: Form, field: Field) -> None:
    """WTForms validator: no line breaks, control characters or bidi overrides (text that may end up in mail
    headers)."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(lazy_gettext("Use a single line without special characters."))
    if field.data and not BIDI_CONTROLS.isdisjoint(field.data):
        raise ValidationError(
            lazy_gettext("This holds an invisible character that turns the text around. Please type it in again.")
        )
