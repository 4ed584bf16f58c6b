"""The organisation's details as pages and e-mails use them: the admin's value, else the environment's, else none.
A page never prints a sentence with a gap: it leaves a detail out, or says the same thing without it."""

from dataclasses import dataclass, field

from flask import current_app, g
from flask_babel import get_locale, lazy_gettext
from sqlalchemy.exc import SQLAlchemyError

from outreach.extensions import db
from outreach.organisation.models import SETTINGS_ID, Organisation

# Each setting: its column, its configuration key (OUTREACH_<KEY> in the environment) and its label.
FIELDS = {
    "name": ("ORGANISATION_NAME", lazy_gettext("Name of the organisation")),
    "description_nl": ("ORGANISATION_DESCRIPTION_NL", lazy_gettext("Short description (Dutch)")),
    "description_en": ("ORGANISATION_DESCRIPTION_EN", lazy_gettext("Short description (English)")),
    "website": ("ORGANISATION_WEBSITE", lazy_gettext("Website")),
    "email": ("ORGANISATION_EMAIL", lazy_gettext("Contact e-mail address")),
    "postal_address": ("ORGANISATION_ADDRESS", lazy_gettext("Postal address")),
    "privacy_controller": ("PRIVACY_CONTROLLER", lazy_gettext("Controller for privacy (name and city)")),
    "privacy_contact": ("PRIVACY_CONTACT", lazy_gettext("Contact for privacy questions")),
    "privacy_processors": ("PRIVACY_PROCESSORS", lazy_gettext("Processors (one per line)")),
}
# What a supporter or an office should find before a campaign is shared; the rest is welcome but optional.
NEEDED = ("name", "description_nl", "email", "postal_address", "privacy_controller", "logo")


@dataclass
class Settings:
    """The details in effect now (None when neither the admin nor the environment gave one)."""

    name: str | None = None
    description_nl: str | None = None
    description_en: str | None = None
    website: str | None = None
    email: str | None = None
    postal_address: str | None = None
    privacy_controller: str | None = None
    privacy_contact: str | None = None
    privacy_processors: list[str] = field(default_factory=list)
    logo_version: int | None = None  # changes with the logo, so browsers fetch a new one at once
    logo_alt: str | None = None

    @property
    def description(self) -> str | None:
        """The short description in the visitor's language (Dutch when there is no English one)."""
        if str(get_locale()) == "en" and self.description_en:
            return self.description_en
        return self.description_nl

    @property
    def controller(self) -> str | None:
        """Who is responsible for the personal data: the named controller, else the organisation itself."""
        return self.privacy_controller or self.name

    @property
    def privacy_address(self) -> str | None:
        """Where to write about privacy: the privacy contact, else the general contact address."""
        return self.privacy_contact or self.email

    def missing(self) -> list[str]:
        """Labels of the details a supporter would look for and that nobody has filled in yet."""
        labels = {**{key: label for key, (_config, label) in FIELDS.items()}, "logo": lazy_gettext("Logo")}
        present = {key: getattr(self, key, None) for key in NEEDED if key != "logo"}
        present["logo"] = self.logo_version
        return [str(labels[key]) for key in NEEDED if not present[key]]


def row() -> Organisation | None:
    return db.session.get(Organisation, SETTINGS_ID)


def _clean(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return None


def _processors(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines() if "\n" in value else value.split(";")
    return [str(item).strip() for item in value or [] if str(item).strip()]


def current() -> Settings:
    """The details in effect, read once per request."""
    if "organisation" not in g:
        try:
            g.organisation = load()
        except SQLAlchemyError:
            # The page explaining that the database is busy must still render: with the environment's values.
            db.session.rollback()
            g.organisation = load(from_database=False)
    return g.organisation


def load(from_database: bool = True) -> Settings:
    """The details in effect, read from the database and the configuration now."""
    stored = row() if from_database else None
    config = current_app.config
    values: dict[str, object] = {}
    for key, (config_key, _label) in FIELDS.items():
        own = getattr(stored, key) if stored is not None else None
        if key == "privacy_processors":
            values[key] = _processors(own) or _processors(config.get(config_key))
        else:
            values[key] = _clean(own) or _clean(config.get(config_key))
    if stored is not None and stored.logo:
        values["logo_version"] = int(stored.updated_at.timestamp()) if stored.updated_at else 0
        values["logo_alt"] = stored.logo_alt
    return Settings(**values)  # type: ignore[arg-type]


def signature() -> str:
    """The lines under an e-mail to a supporter: who runs the site and how to reach them ("" when unknown). Read
    afresh: the delivery worker's app context lives for days."""
    settings = load()
    parts = [part for part in (settings.name, settings.website, settings.email) if part]
    return "-- \n" + "\n".join(parts) if parts else ""
