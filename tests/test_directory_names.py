"""The Dutch salutation rule, name display and accent-free search keys."""

import pytest

from outreach.directory.names import fold, full_name, salutation

SALUTATIONS = [
    # gender, prefix, surname, organiser override, expected
    ("man", None, "Jansen", None, "Geachte heer Jansen,"),
    ("vrouw", None, "Bakker", None, "Geachte mevrouw Bakker,"),
    ("man", "van der", "Lee", None, "Geachte heer Van der Lee,"),
    ("vrouw", "de", "Vries", None, "Geachte mevrouw De Vries,"),
    ("man", "in 't", "Veld", None, "Geachte heer In 't Veld,"),
    ("man", "'t", "Hart", None, "Geachte heer 't Hart,"),
    ("vrouw", "van 't", "Hek", None, "Geachte mevrouw Van 't Hek,"),
    ("man", "van den", "Broek", None, "Geachte heer Van den Broek,"),
    ("vrouw", "van", "Dijk", None, "Geachte mevrouw Van Dijk,"),
    ("man", "ter", "Horst", None, "Geachte heer Ter Horst,"),
    ("man", "den", "Uyl", None, "Geachte heer Den Uyl,"),
    ("vrouw", "d'", "Ancona", None, "Geachte mevrouw D'Ancona,"),
    # Only the first word of the prefix is capitalised, however it was stored.
    ("man", "Van Der", "Lee", None, "Geachte heer Van der Lee,"),
    ("man", "VAN DEN", "Berg", None, "Geachte heer Van den Berg,"),
    # Double-barrelled surnames as stored.
    ("vrouw", None, "Dekker-Abdulaziz", None, "Geachte mevrouw Dekker-Abdulaziz,"),
    ("vrouw", "van", "Ginneken-de Jong", None, "Geachte mevrouw Van Ginneken-de Jong,"),
    ("man", None, "Tjon-A-Fat", None, "Geachte heer Tjon-A-Fat,"),
    # Diacritics are kept.
    ("vrouw", None, "Yeşilgöz", None, "Geachte mevrouw Yeşilgöz,"),
    ("man", None, "Öztürk", None, "Geachte heer Öztürk,"),
    ("vrouw", None, "Məmmədova", None, "Geachte mevrouw Məmmədova,"),
    ("man", None, "Aydın", None, "Geachte heer Aydın,"),
    # Unknown or unexpected gender.
    (None, None, "Janssen", None, "Geachte heer/mevrouw Janssen,"),
    ("", "van der", "Plas", None, "Geachte heer/mevrouw Van der Plas,"),
    ("onbekend", None, "Klaver", None, "Geachte heer/mevrouw Klaver,"),
    ("Vrouw", None, "Ouwehand", None, "Geachte mevrouw Ouwehand,"),
    # Stray spaces and typographic apostrophes from hand-typed data.
    ("man", " van  der ", " Lee ", None, "Geachte heer Van der Lee,"),
    ("man", "’t", "Hart", None, "Geachte heer 't Hart,"),
    ("man", "in ’t", "Veld", None, "Geachte heer In 't Veld,"),
    # An organiser's override wins; a closing comma is added when missing.
    ("man", "van der", "Lee", "Beste Tom,", "Beste Tom,"),
    ("vrouw", None, "Bakker", "Hooggeachte mevrouw Bakker", "Hooggeachte mevrouw Bakker,"),
    ("man", None, "Jansen", "   ", "Geachte heer Jansen,"),
    # No surname at all still gives a usable salutation.
    ("vrouw", None, "", None, "Geachte mevrouw,"),
]


@pytest.mark.parametrize(("gender", "prefix", "surname", "override", "expected"), SALUTATIONS)
def test_salutation(gender: str, prefix: str, surname: str, override: str, expected: str) -> None:
    assert salutation(gender, prefix, surname, override) == expected


def test_salutation_table_is_large_enough() -> None:
    assert len(SALUTATIONS) >= 25


@pytest.mark.parametrize(
    ("first", "prefix", "surname", "expected"),
    [
        ("Tom", "van der", "Lee", "Tom van der Lee"),
        ("Sophie", "in 't", "Veld", "Sophie in 't Veld"),
        ("Hedy", "d'", "Ancona", "Hedy d'Ancona"),
        ("Dilan", None, "Yeşilgöz", "Dilan Yeşilgöz"),
        ("Jan", "Van", "Dijk", "Jan van Dijk"),
    ],
)
def test_full_name_keeps_the_prefix_lower_case(first: str, prefix: str, surname: str, expected: str) -> None:
    assert full_name(first, prefix, surname) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yeşilgöz", "yesilgoz"),
        ("ÖZTÜRK", "ozturk"),
        ("Aydın", "aydin"),
        ("Məmmədova", "memmedova"),
        ("Hélène  Renée", "helene renee"),
        ("in ’t Veld", "in t veld"),
        ("d'Ancona", "dancona"),
        ("Ağaoğlu Çelik Şahin Güler", "agaoglu celik sahin guler"),
        ("Straße", "strasse"),
        ("Søren Łukasz", "soren lukasz"),
        (None, ""),
    ],
)
def test_fold_ignores_case_and_accents(text: str | None, expected: str) -> None:
    assert fold(text) == expected
