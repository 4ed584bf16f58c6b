"""The forms admins and organisers fill in for the organisation's details and a campaign's image."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from outreach.organisation.settings import FIELDS
from outreach.validation import email_address, one_line


def web_address(_form: FlaskForm, field: StringField) -> None:
    """Empty, or a link that starts with https:// (or http://)."""
    value = (field.data or "").strip()
    if value and (not value.startswith(("https://", "http://")) or " " in value or len(value) < 12):
        raise ValidationError(lazy_gettext("Enter a full web address, like https://www.example.nl."))


class OrganisationForm(FlaskForm):
    name = StringField(FIELDS["name"][1], validators=[Length(max=200), one_line])
    description_nl = TextAreaField(FIELDS["description_nl"][1], validators=[Length(max=600)])
    description_en = TextAreaField(FIELDS["description_en"][1], validators=[Length(max=600)])
    website = URLField(FIELDS["website"][1], validators=[Length(max=300), web_address])
    email = EmailField(FIELDS["email"][1], validators=[Length(max=254), email_address])
    postal_address = TextAreaField(FIELDS["postal_address"][1], validators=[Length(max=300)])
    privacy_controller = StringField(FIELDS["privacy_controller"][1], validators=[Length(max=300), one_line])
    privacy_contact = EmailField(FIELDS["privacy_contact"][1], validators=[Length(max=254), email_address])
    privacy_processors = TextAreaField(FIELDS["privacy_processors"][1], validators=[Length(max=2000)])
    logo = FileField(lazy_gettext("Logo (PNG, JPEG or WebP)"))
    logo_alt = StringField(lazy_gettext("What the logo shows (for screen readers)"), validators=[Length(max=200)])
    remove_logo = BooleanField(lazy_gettext("Remove the logo"))


class CampaignImageForm(FlaskForm):
    image = FileField(lazy_gettext("Picture (PNG, JPEG or WebP)"))
    alt_nl = StringField(
        lazy_gettext("What the picture shows (Dutch)"),
        validators=[DataRequired(lazy_gettext("Describe the picture for people who cannot see it.")), Length(max=300)],
    )
    alt_en = StringField(lazy_gettext("What the picture shows (English)"), validators=[Optional(), Length(max=300)])
