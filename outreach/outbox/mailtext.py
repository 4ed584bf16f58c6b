"""The words of every e-mail Outreach writes, from one template each in `templates/emails/`.

A template has a `subject` block (none for the lines under a letter) and a `body` block, plain text, with every
sentence in `_()` so it reads in the language asked for, whichever languages the catalogues hold. What organisers
and supporters wrote (names, titles, explanations, letters) comes in as values: printed as they are, never read as a
template. The newline before `{% endblock %}` closes the template's last line and is not part of the text.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from jinja2 import Environment, Template


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str


def render_email(name: str, language: str, /, **values: object) -> EmailText:
    """The subject and text of the e-mail `name` (templates/emails/<name>.txt) in `language`, filled with `values`."""
    template = _environment().get_template(f"emails/{name}.txt")
    with force_locale(language):
        subject = _block(template, "subject", values).strip("\n") if "subject" in template.blocks else ""
        body = _block(template, "body", values).removesuffix("\n")
    return EmailText(subject, body)


def render_part(name: str, block: str, language: str, /, **values: object) -> str:
    """One named block of the e-mail `name`, for text another e-mail shares, in `language`, filled with `values`."""
    template = _environment().get_template(f"emails/{name}.txt")
    with force_locale(language):
        return _block(template, block, values)


def _block(template: Template, block: str, values: dict[str, object]) -> str:
    return "".join(template.blocks[block](template.new_context(values)))


def _environment() -> Environment:
    """The site's templates with the site's translations, for plain text: nothing escaped, a line holding only a
    `{% ... %}` tag leaves no trace in the text."""
    environment = current_app.extensions.get("email_templates")
    if environment is None:
        environment = current_app.jinja_env.overlay(autoescape=False, trim_blocks=True, lstrip_blocks=True)
        current_app.extensions["email_templates"] = environment
    return environment
