"""Checks shared by forms, imports and the sync."""

import re

from flask_babel import lazy_gettext
from wtforms import Field, Form, ValidationError

_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[a-z]{2,}$", re.IGNORECASE)


def is_email(value: str) -> bool:
    """A plausible single e-mail address, safe to put in a mail header."""
    return len(value) <= 254 and bool(_EMAIL.match(value))


def email_address(_form: Form, field: Field) -> None:
    """WTForms validator: empty, or one e-mail address."""
    if field.data and not is_email(field.data.strip()):
        raise ValidationError(lazy_gettext("Enter one e-mail address, like name@tweedekamer.nl."))


def one_line(_form: Form, field: Field) -> None:
    """WTForms validator: no line breaks or control characters (text that may end up in mail headers)."""
    if field.data and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError(lazy_gettext("Use a single line without special characters."))
