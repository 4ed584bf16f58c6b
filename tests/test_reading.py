"""A letter you can read before you sign it: reading translations written by organisers, stored, checked, and shown
beside the letter, which members still receive in its own language; a gentle note when the supporter's own words
are in another language than the letter's."""

import json
from pathlib import Path

import click
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.campaigns.cli import BUNDLED, load_campaign
from outreach.campaigns.language_check import guess, mismatch_warning
from outreach.campaigns.models import Campaign, Letter
from outreach.extensions import db
from tests.builders import LETTER_NL, campaign
from tests.campaign_helpers import confirmation_messages, letter_form, letter_page
from tests.test_campaigns_admin import form

TURKISH_SUBJECT = "Hocalı katliamının tanınması"
TURKISH_BODY = (
    "{salutation}\n\nHocalı katliamına ilginizi rica ediyorum. Meclis'ten bağımsız bir soruşturma ve 26 Şubat'ın bir "
    "anma günü olarak tanınmasını istiyorum.\n\nSaygılarımla,\n\n{supporter_name}\n{supporter_city}"
)
OWN_TURKISH = "Benim dedem Hocalı'da yaşıyordu ve bu olay bizim ailemiz için çok önemli, bunu hiç unutmadık."
OWN_DUTCH = "Mijn opa woonde in Khojaly en dit is voor onze familie heel belangrijk; wij zijn het nooit vergeten."


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"FORM_MIN_SECONDS": 0}


@pytest.fixture
def keys(app: Flask, directory: dict[str, int]) -> list[str]:
    """A live campaign with a Turkish reading translation, and one member to write to."""
    with app.app_context():
        campaign(reading={"tr": {"subject": TURKISH_SUBJECT, "body": TURKISH_BODY}})
    return [f"member:{directory['van_der_lee']}"]


def test_an_organiser_writes_a_reading_translation_and_it_is_kept(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    page = organiser.get("/admin/campaigns/new").get_data(as_text=True)
    assert "Leesvertalingen" in page and 'name="reading_tr_body"' in page and 'lang="tr"' in page
    typed = {"title": "Yeni kampanya", "intro": "Meclis'e yazın.", "subject": TURKISH_SUBJECT, "body": TURKISH_BODY}
    saved = organiser.post("/admin/campaigns/new", data=form(**{f"reading_tr_{k}": v for k, v in typed.items()}))
    assert saved.status_code == 302
    with app.app_context():
        new = db.session.scalars(select(Campaign)).one()
        assert new.reading == {"tr": typed}
        campaign_id = new.id
    again = organiser.get(f"/admin/campaigns/{campaign_id}/edit").get_data(as_text=True)
    assert "Hocalı katliamına ilginizi rica ediyorum." in again
    organiser.post(f"/admin/campaigns/{campaign_id}/edit", data=form(reading_tr_subject="", reading_tr_body=""))
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).reading is None  # emptied: no reading translation shown


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"reading_tr_body": TURKISH_BODY.replace("{salutation}\n\n", "")}, "laat {salutation} weg"),
        ({"reading_tr_body": TURKISH_BODY + "\n{mp_party}"}, "voegt {mp_party} toe"),
        ({"reading_tr_body": TURKISH_BODY + "\n{adres}"}, "{adres}"),
        ({"reading_tr_subject": ""}, "Geef ook het vertaalde onderwerp."),
        ({"reading_tr_body": ""}, "Geef ook de vertaalde brief, of laat het onderwerp leeg."),
        ({"reading_tr_subject": "Konu\nikinci satır"}, "Gebruik één regel"),
    ],
)
def test_a_reading_translation_must_keep_the_letters_placeholders_and_come_whole(
    app: Flask, organiser: FlaskClient, directory: dict[str, int], changes: dict[str, str], said: str
) -> None:
    data = form(**{"reading_tr_subject": TURKISH_SUBJECT, "reading_tr_body": TURKISH_BODY, **changes})
    refused = organiser.post("/admin/campaigns/new", data=data)
    assert refused.status_code == 400 and said in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Campaign)).all() == []


def test_saving_keeps_reading_translations_in_languages_the_site_does_not_offer_now(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    german = {"subject": "Chodschali", "body": "{salutation}\n\nChodschali.\n\n{supporter_name}\n{supporter_city}"}
    with app.app_context():
        campaign_id = campaign(body_nl=LETTER_NL, reading={"de": german}).id
    organiser.post(
        f"/admin/campaigns/{campaign_id}/edit",
        data=form(slug="khojaly", reading_tr_subject=TURKISH_SUBJECT, reading_tr_body=TURKISH_BODY),
    )
    with app.app_context():
        assert set(db.session.get(Campaign, campaign_id).reading) == {"de", "tr"}


def test_the_letter_page_shows_the_reading_translation_beside_the_letter_that_is_sent(
    client: FlaskClient, keys: list[str]
) -> None:
    client.get("/language/tr")
    page = letter_page(client, keys).get_data(as_text=True)
    assert '<aside class="reading" aria-labelledby="reading-heading" lang="tr">' in page
    assert "Okuma yardımı: kampanyanın mektubunun Türkçe çevirisi" in page
    assert "Gönderilmez: milletvekilleri bu sayfadaki mektubu Hollandaca olarak" in page
    assert "Milletvekilleri mektubunuzu Hollandaca olarak alır." in page
    reading = page[page.index('class="reading"') :]
    assert "Geachte heer Van der Lee,\n\nHocalı katliamına ilginizi rica ediyorum." in reading  # filled as sent
    assert "Ik vraag uw aandacht" in page  # the letter itself, in Dutch, is what is edited and sent
    client.get("/language/en")
    english = letter_page(client, keys).get_data(as_text=True)
    assert 'class="reading"' not in english and "The members receive your letter in English." in english


def test_a_campaigns_translated_title_and_introduction_stand_in_for_the_dutch_ones(
    app: Flask, client: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        campaign(reading={"tr": {"title": "Hocalı'yı anmak", "intro": "Meclis'e yazın.", "body": TURKISH_BODY}})
    turkish = client.get("/campaigns/khojaly", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert "<h1>Hocalı&#39;yı anmak</h1>" in turkish and "Meclis&#39;e yazın." in turkish
    dutch = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert "<h1>Erkenning van Khojaly</h1>" in dutch and "Schrijf de Kamer." in dutch


def test_a_letter_written_from_a_turkish_page_is_sent_in_dutch(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    client.get("/language/tr")
    html = letter_page(client, keys).get_data(as_text=True)
    sent = client.post("/campaigns/khojaly/letter", data=letter_form(html, keys))
    assert sent.status_code == 302
    with app.app_context():
        [letter] = db.session.scalars(select(Letter)).all()
        assert letter.body.startswith("Geachte heer Van der Lee,") and "Hocalı" not in letter.body
        [confirmation] = confirmation_messages()
        assert confirmation.subject.startswith("Lütfen") and "“Erkenning van Khojaly”" in confirmation.body


def test_own_words_in_another_language_get_a_gentle_note_and_are_still_sent(
    app: Flask, client: FlaskClient, keys: list[str]
) -> None:
    html = letter_page(client, keys).get_data(as_text=True)
    body = letter_form(html, keys)["body"]
    preview = client.post(
        "/campaigns/khojaly/letter", data=letter_form(html, keys, "preview", body=body + "\n\n" + OWN_TURKISH)
    )
    note = "Uw eigen woorden lijken niet in het Nederlands te zijn."
    assert preview.status_code == 200 and note in preview.get_data(as_text=True)
    dutch = client.post(
        "/campaigns/khojaly/letter", data=letter_form(html, keys, "preview", body=body + "\n\n" + OWN_DUTCH)
    )
    assert note not in dutch.get_data(as_text=True)
    sent = client.post("/campaigns/khojaly/letter", data=letter_form(html, keys, body=body + "\n\n" + OWN_TURKISH))
    assert sent.status_code == 302  # a note, never a block
    with app.app_context():
        assert OWN_TURKISH in db.session.scalars(select(Letter.body)).one()


def test_the_note_on_the_language_follows_typing(client: FlaskClient, keys: list[str]) -> None:
    html = letter_page(client, keys).get_data(as_text=True)
    assert 'id="language-warning" role="status" hidden' in html  # there for the script to fill
    turkish = client.post("/campaigns/khojaly/meter", data={"body": "Ik vraag uw aandacht.\n\n" + OWN_TURKISH})
    assert "niet in het Nederlands" in turkish.get_json()["language_warning"]
    dutch = client.post("/campaigns/khojaly/meter", data={"body": OWN_DUTCH})
    assert dutch.get_json()["language_warning"] == ""
    english = client.post("/campaigns/khojaly/meter", data={"lang": "en", "body": OWN_DUTCH})
    assert "niet in het Engels" in english.get_json()["language_warning"]


def test_the_language_guess_is_small_and_honest() -> None:
    assert guess(OWN_TURKISH) == "tr"
    assert guess("Mənim babam Xocalıda yaşayırdı və bu hadisə bizim ailə üçün çox vacibdir") == "az"
    assert guess(OWN_DUTCH) == "nl"
    assert guess("My grandfather lived in Khojaly and this is very important for our family") == "en"
    assert guess("Мой дедушка жил в Ходжалы, и это очень важно для нашей семьи") == "other"
    assert guess("Aysel Mammadova, Zwolle") is None  # too little to tell
    template = "{salutation}\n\nIk vraag uw aandacht.\n\nMet vriendelijke groet,"
    assert mismatch_warning(template, template, "nl") is None  # the campaign's own words are never the supporter's


def test_the_bundled_campaign_ships_its_reading_translations(app: Flask, runner: FlaskCliRunner) -> None:
    files = sorted(path.name for path in BUNDLED.glob("khojaly.*.json"))
    assert "khojaly.tr.json" in files
    runner.invoke(args=["campaigns", "init"])
    with app.app_context():
        bundled = db.session.scalars(select(Campaign)).one()
        turkish = bundled.reading["tr"]
        assert turkish["title"] == "Hocalı katliamının tanınması" and "613 kişi" in turkish["intro"]
        assert turkish["subject"].startswith("Hocalı katliamına") and "613 kişi" in turkish["body"]
        assert "Human Rights Watch" in turkish["body"] and "Azerbaycan makamlarının verilerine göre" in turkish["body"]
        bundled.reading = None  # a campaign loaded before it had reading translations
        db.session.commit()
    runner.invoke(args=["campaigns", "init"])
    with app.app_context():
        assert "tr" in db.session.scalars(select(Campaign)).one().reading  # added to the campaign already there


def test_a_reading_file_that_is_not_a_translation_is_refused(app: Flask, tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text((BUNDLED / "khojaly.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "demo.tr.json").write_text(json.dumps(["not", "a", "letter"]), encoding="utf-8")
    with app.app_context(), pytest.raises(click.ClickException, match=r"demo\.tr\.json"):
        load_campaign(tmp_path / "demo.json")
