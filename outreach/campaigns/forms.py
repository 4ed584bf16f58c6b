"""The supporter's letter form and the organiser's campaign form."""

import re

from flask import current_app
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from outreach.campaigns import embeds, letters
from outreach.campaigns.models import CAMPAIGN_STATUSES
from outreach.campaigns.reading import BODY_MAX, INTRO_MAX, SUBJECT_MAX, TITLE_MAX, placeholder_problem
from outreach.campaigns.submit import CONSENT_TEXT, NEWSLETTER_TEXT
from outreach.i18n import language_name
from outreach.outbox import digest, hours
from outreach.validation import email_address, has_control_characters, one_line

POSTCODE = re.compile(r"^\d{4}\s*[A-Za-z]{2}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def place(_form: Form, field: Field) -> None:
    """A city, or the four digits of a postcode: not a full postcode, which would say where someone lives."""
    if field.data and POSTCODE.match(field.data.strip()):
        raise ValidationError(lazy_gettext("Give only the four digits of your postcode, or your city."))


def no_control_characters(_form: Form, field: Field) -> None:
    """Letter text may have line breaks and tabs, but no other control characters."""
    if field.data and has_control_characters(field.data.replace("\r\n", "\n").replace("\n", "").replace("\t", "")):
        raise ValidationError(lazy_gettext("The text holds characters that cannot be sent."))


class LetterForm(FlaskForm):
    """What a supporter fills in: the letter, who they are, and their consent."""

    subject = StringField(lazy_gettext("Subject"), validators=[DataRequired(), Length(max=200), one_line])
    body = TextAreaField(lazy_gettext("Your letter"), validators=[DataRequired(), no_control_characters])
    name = StringField(
        lazy_gettext("Your name"),
        validators=[DataRequired(lazy_gettext("Your name goes under the letter.")), Length(max=100), one_line],
        render_kw={"autocomplete": "name", "autocapitalize": "words"},
    )
    # Phones then offer the address keyboard and the addresses they know, and do not "correct" what is typed.
    email = EmailField(
        lazy_gettext("Your e-mail address"),
        validators=[
            DataRequired(lazy_gettext("We need your e-mail address to confirm the letter.")),
            Length(max=254),
            email_address,
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "off", "spellcheck": "false"},
    )
    place = StringField(
        lazy_gettext("City or the 4 digits of your postcode (optional)"),
        validators=[Optional(), Length(max=60), one_line, place],
        render_kw={"autocomplete": "address-level2", "autocapitalize": "words"},
    )
    consent = BooleanField(
        CONSENT_TEXT, validators=[DataRequired(lazy_gettext("Without your consent we cannot send the letter."))]
    )
    newsletter = BooleanField(NEWSLETTER_TEXT)
    website = StringField(lazy_gettext("Leave this field empty"))  # a honeypot: people do not see it, robots fill it
    form_token = HiddenField()

    def validate_body(self, field: Field) -> None:
        limit = current_app.config["LETTER_MAX_LENGTH"]
        length = len(field.data.replace("\r\n", "\n").strip())
        if length > limit:
            raise ValidationError(
                lazy_gettext(
                    "Your letter is %(length)d characters long; the limit is %(limit)d.", length=length, limit=limit
                )
            )


class CorrectAddressForm(FlaskForm):
    """A mistyped address corrected on the "check your mail" page: checked exactly as on the letter form."""

    email = LetterForm.email


class CampaignForm(FlaskForm):
    """A campaign as organisers edit it."""

    slug = StringField(
        lazy_gettext("Address on the site"), validators=[DataRequired(), Length(max=60)], description="/campaigns/…"
    )
    status = SelectField(lazy_gettext("Status"), choices=list(CAMPAIGN_STATUSES))
    title_nl = StringField(lazy_gettext("Title (Dutch)"), validators=[DataRequired(), Length(max=200), one_line])
    title_en = StringField(lazy_gettext("Title (English)"), validators=[Optional(), Length(max=200), one_line])
    intro_nl = TextAreaField(lazy_gettext("Introduction (Dutch)"), validators=[Optional(), Length(max=10000)])
    intro_en = TextAreaField(lazy_gettext("Introduction (English)"), validators=[Optional(), Length(max=10000)])
    subject_nl = StringField(
        lazy_gettext("Subject of the letter (Dutch)"), validators=[DataRequired(), Length(max=200), one_line]
    )
    subject_en = StringField(
        lazy_gettext("Subject of the letter (English)"), validators=[Optional(), Length(max=200), one_line]
    )
    body_nl = TextAreaField(lazy_gettext("Letter (Dutch)"), validators=[DataRequired(), Length(max=20000)])
    body_en = TextAreaField(lazy_gettext("Letter (English)"), validators=[Optional(), Length(max=20000)])
    all_members = BooleanField(lazy_gettext("Supporters may write to every member of the House"))
    parties = StringField(
        lazy_gettext("Otherwise, members of these parties"), validators=[Optional(), Length(max=500), one_line]
    )
    committees = StringField(
        lazy_gettext("… and members of these committees"), validators=[Optional(), Length(max=500), one_line]
    )
    preselect_committee = StringField(
        lazy_gettext("Committee whose chair and vice-chairs start ticked"),
        validators=[Optional(), Length(max=40), one_line],
    )
    max_recipients = IntegerField(
        lazy_gettext("Most recipients per letter"), validators=[DataRequired(), NumberRange(1, 150)]
    )
    daily_cap = IntegerField(
        lazy_gettext("Most letters per member per day (empty: no limit)"),
        validators=[Optional(), NumberRange(1, 100000)],
    )
    sending_hours = StringField(
        lazy_gettext("Office hours for letters (empty: the site's)"),
        validators=[Optional(), Length(max=60), one_line],
    )
    digest = BooleanField(lazy_gettext("Past the daily limit, send the day's further letters in one daily digest"))
    # No Optional(): it would skip the check that a digest switched on has a time.
    digest_at = StringField(lazy_gettext("Time of the daily digest"), validators=[Length(max=5), one_line])
    goal = IntegerField(
        lazy_gettext("Public goal in letters (optional)"), validators=[Optional(), NumberRange(1, 10_000_000)]
    )
    contact = StringField(
        lazy_gettext("Contact address named under every letter"),
        validators=[Optional(), Length(max=254), email_address],
    )
    tracking_address = StringField(
        lazy_gettext("Tracking address (Bcc of letters sent from a mail program)"),
        validators=[Optional(), Length(max=254), email_address],
    )
    embed_origins = TextAreaField(
        lazy_gettext("Partners' sites that may show the campaign in a frame (one origin a line)"),
        description=lazy_gettext("Like https://partner.example: the address of the site without a page path."),
        filters=[embeds.normal_origins],
        validators=[Optional(), Length(max=4000), embeds.validate_origins],
        render_kw={"rows": 3},
    )

    def validate_sending_hours(self, field: Field) -> None:
        try:
            hours.parse(field.data or "")
        except ValueError:
            raise ValidationError(
                lazy_gettext("Write the hours like 08:00-18:00, or with days like mon-fri 08:00-18:00.")
            ) from None

    def validate_digest_at(self, field: Field) -> None:
        if field.data:
            try:
                digest.parse_time(field.data)
            except ValueError:
                raise ValidationError(lazy_gettext("Write the time like 16:00 (Amsterdam time).")) from None
        elif self.digest.data:
            raise ValidationError(lazy_gettext("Give the time at which the daily digest goes out, like 16:00."))

    def validate_digest(self, field: Field) -> None:
        if field.data and not self.daily_cap.data:
            raise ValidationError(
                lazy_gettext("A daily digest gathers the letters past the daily limit: set a limit per member first.")
            )

    def validate_slug(self, field: Field) -> None:
        if not SLUG.match(field.data or ""):
            raise ValidationError(lazy_gettext("Use lower-case letters, digits and hyphens, like khojaly-2027."))

    def _placeholders(self, field: Field) -> None:
        problem = letters.unknown_placeholders_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    validate_subject_nl = validate_subject_en = validate_body_nl = validate_body_en = _placeholders


READING_PREFIX = "reading_"


def _reading_subject(form: Form, field: Field) -> None:
    """A translated subject goes with a translated letter, and keeps the Dutch subject's placeholders."""
    body = form[field.name.removesuffix("_subject") + "_body"]
    if (field.data or "").strip() and not (body.data or "").strip():
        raise ValidationError(lazy_gettext("Give the translated letter too, or leave the subject empty."))
    problem = placeholder_problem(field.data or "", form.subject_nl.data or "")
    if problem:
        raise ValidationError(problem)


def _reading_body(form: Form, field: Field) -> None:
    """A translated letter has its subject, and keeps every placeholder of the Dutch letter (and adds none)."""
    if not (field.data or "").strip():
        return
    if not (form[field.name.removesuffix("_body") + "_subject"].data or "").strip():
        raise ValidationError(lazy_gettext("Give the translated subject too."))
    problem = placeholder_problem(field.data, form.body_nl.data or "")
    if problem:
        raise ValidationError(problem)


def campaign_form(reading_languages: list[str]) -> type[CampaignForm]:
    """The campaign form with a subject and a letter for each reading translation (one per language the site offers
    beside the letter's own)."""
    fields: dict[str, Field] = {}
    for code in reading_languages:
        name = language_name(code)
        fields[f"{READING_PREFIX}{code}_title"] = StringField(
            lazy_gettext("Title, translated (%(language)s)", language=name),
            validators=[Optional(), Length(max=TITLE_MAX), one_line],
            render_kw={"lang": code},
        )
        fields[f"{READING_PREFIX}{code}_intro"] = TextAreaField(
            lazy_gettext("Introduction, translated (%(language)s)", language=name),
            validators=[Optional(), Length(max=INTRO_MAX), no_control_characters],
            render_kw={"lang": code, "rows": 6},
        )
        fields[f"{READING_PREFIX}{code}_subject"] = StringField(
            lazy_gettext("Subject, translated for reading (%(language)s)", language=name),
            validators=[Optional(), Length(max=SUBJECT_MAX), one_line, _reading_subject],
            render_kw={"lang": code},
        )
        fields[f"{READING_PREFIX}{code}_body"] = TextAreaField(
            lazy_gettext("Letter, translated for reading (%(language)s)", language=name),
            validators=[Optional(), Length(max=BODY_MAX), no_control_characters, _reading_body],
            render_kw={"lang": code, "rows": 12},
        )
    return type("CampaignFormWithReading", (CampaignForm,), fields)
