"""Checks shared by forms, imports and the sync."""

import re

from flask_babel import lazy_gettext
from wtforms import Field, Form, ValidationError

_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[a-z]{2,}$", re.IGNORECASE)


def is_email(value: str) -> bool:
    """A plausible single e-mail address, safe to put in a mail header."""
    return len(value) <= 254 and bool(_EMAIL.match(value)) and not has_control_characters(value)


def email_address(_form: Form, field: Field) -> None:
    """WTForms validator: empty, or one e-mail address."""
    if field.data and not is_email(field.data.strip()):
        raise ValidationError(lazy_gettext("Enter one e-mail address, like name@tweedekamer.nl."))


def has_control_characters(value: str) -> bool:
    """True when `value` holds a line break or other control character (C0, DEL, C1, Unicode line separators).

    Every value that can reach a mail header is checked with this, at the form and again when a message is built:
    Python's own guard against header injection is incomplete on the path Flask-Mail uses.
    """
    return any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029" for ch in value)


def one_line(_form: Form, field: Field) -> None:
    """WTForms validator: no line breaks or control characters (text that may end up in mail headers)."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(lazy_gettext("Use a single line without special characters."))
