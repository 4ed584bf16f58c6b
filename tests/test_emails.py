"""Every e-mail Outreach writes comes from one template in templates/emails/, reads in each interface language, and
prints what organisers and supporters wrote exactly as they wrote it, never as template code."""

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from outreach.outbox.mailtext import render_email

EMAILS = Path(__file__).resolve().parent.parent / "templates" / "emails"

# Per e-mail: the values it is written with, and the sentence (its English source) a reader must find in it.
MAILS: dict[str, tuple[dict[str, object], str]] = {
    "confirmation": (
        {
            "name": "Aysel",
            "title": "Khojaly",
            "names": ["Dilan Yeşilgöz"],
            "excerpt": "Ik vraag uw aandacht.",
            "days": 7,
            "link": "http://x.example/confirm/t",
            "skipped": [],
            "reminder": False,
        },
        "Nothing has been sent yet. To send your letter, confirm your e-mail address within %(days)d days:",
    ),
    "rejection": (
        {"name": "Aysel", "title": "Khojaly", "names": ["Dilan Yeşilgöz"], "explanation": "Te kort."},
        "The organisers of the campaign looked at your letter to %(names)s and did not send it.",
    ),
    "undeliverable": (
        {
            "supporter_name": "Aysel",
            "recipient_name": "Dilan Yeşilgöz",
            "recipient": "Dilan Yeşilgöz",
            "letter_subject": "Erkenning",
            "letter_body": "Geachte mevrouw Yeşilgöz,",
        },
        "Below is a copy of your letter, so that you can send it another way if you wish.",
    ),
    "survey": (
        {"name": "Aysel", "title": "Khojaly", "days": 14, "reminder": False, "letters": [], "answers": []},
        "Your answer is used only to count, per MP and party, how often members reply.",
    ),
    "privacy_link": (
        {"site": "Stichting", "link": None},
        "Someone, hopefully you, asked to see the data held about this address. We hold no data about it.",
    ),
    "organiser_alert": (
        {"problems": [], "link": "http://x.example/admin/outbox"},
        "Outreach: sending needs your attention",
    ),
    "letter_footer": (
        {"who": "Aysel", "campaign": "Khojaly", "url": "http://x", "name": "Aysel", "opt_out_link": None},
        "%(name)s confirmed their e-mail address; replying to this e-mail reaches them directly.",
    ),
    "domain_test": ({"domain": "d.example", "findings": []}, "What the check found when this message was sent:"),
    "digest": (
        {
            "count": 2,
            "title": "Khojaly",
            "cap": 3,
            "salutation": "Geachte mevrouw Yeşilgöz,",
            "campaign_text": "Ik vraag uw aandacht.",
            "writers": [("Aysel (Utrecht)", "Mijn eigen woorden."), ("Murad", "")],
            "url": "http://x.example/campaigns/khojaly",
            "campaign_lines": [],
        },
        "Each writer confirmed their e-mail address. Replying to this e-mail reaches the campaign, which records "
        "your answer for each of these letters.",
    ),
    "digest_notice": (
        {
            "name": "Aysel",
            "member": "Dilan Yeşilgöz",
            "cap": 3,
            "title": "Khojaly",
            "others": 36,
            "link": "http://x.example/confirm/t",
        },
        "You can follow your letters here: %(link)s",
    ),
    "debate_alert": (
        {
            "kind": "scheduled",
            "subject": "Zuidelijke Kaukasus",
            "when": "donderdag 10 december 2026, 14:00",
            "title": "Khojaly",
            "url": "http://x.example/campaigns/khojaly",
            "stop_link": "http://x.example/campaigns/news/stop/t",
        },
        "The Tweede Kamer debates “%(subject)s” on %(when)s.",
    ),
    "password_reset": (
        {"site": "http://x.example", "link": "http://x.example/r"},
        "Choose a new password for Outreach",
    ),
}


def test_every_template_is_rendered_here() -> None:
    assert {path.stem for path in EMAILS.glob("*.txt")} == set(MAILS)


@pytest.mark.parametrize("name", sorted(MAILS))
def test_each_mail_reads_in_every_interface_language(app: Flask, name: str) -> None:
    values, sentence = MAILS[name]
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            text = render_email(name, language, **values)
            with force_locale(language):
                translated = gettext(sentence)
            assert language == "en" or translated != sentence, f"not translated into {language}"
            expected = translated % {**values, "names": ", ".join(values.get("names", []))}
            assert expected in f"{text.subject}\n{text.body}", language
            assert name == "letter_footer" or text.subject, language


def test_the_mails_are_dutch_and_english(app: Flask) -> None:
    values, _sentence = MAILS["rejection"]
    with app.test_request_context():
        dutch, english = render_email("rejection", "nl", **values), render_email("rejection", "en", **values)
    assert dutch.subject == "Uw brief in de campagne “Khojaly” is niet verstuurd"
    assert dutch.body.startswith("Beste Aysel,\n\nDe organisatoren van de campagne hebben uw brief aan Dilan Yeşilgöz")
    assert english.body.endswith("Their explanation:\nTe kort.")


@pytest.mark.parametrize("typed", ["{{ 7*7 }}", "{% raw %}x{% endraw %}", "{# note #}", "%(name)s 100%"])
def test_what_people_typed_is_printed_as_typed(app: Flask, typed: str) -> None:
    with app.test_request_context():
        text = render_email(
            "rejection", "nl", name=typed, title=typed, names=[typed], explanation=f"Omdat {typed}\nklaar"
        )
        footer = render_email("letter_footer", "en", who=typed, campaign=typed, url="u", name=typed, contact=typed)
    assert text.subject == f"Uw brief in de campagne “{typed}” is niet verstuurd"
    assert text.body.startswith(f"Beste {typed},")
    assert text.body.endswith(f"Hun toelichting:\nOmdat {typed}\nklaar")
    assert f"This letter was sent by {typed} via the campaign “{typed}”: u" in footer.body
    assert footer.body.endswith(f"Questions about this campaign: {typed}")
    assert "49" not in text.body + footer.body
