"""Every interface language complete: every user-facing string is extracted, and every shipped catalogue translates
each one, without fuzzy or empty entries and with the same placeholders as the English source."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from outreach.campaigns.letters import PLACEHOLDERS
from outreach.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "outreach" / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
# Python's %(name)s and the letters' {placeholders}; other words in braces ("{braces}") are words, translated.
EXTRACT = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "lazy_gettext"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{(?:" + "|".join(PLACEHOLDERS) + r")\}")


@pytest.fixture(scope="module")
def wanted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every message in the code and templates, extracted afresh (the committed .pot may be behind)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [*EXTRACT, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        found = {m.id for m in read_po(f) if m.id}
    assert len(found) > 50
    return found


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_interface_language_ships_a_catalogue() -> None:
    shipped = {path.parent.parent.name for path in CATALOGS}
    assert set(DEFAULTS["LANGUAGES"]) - {"en"} <= shipped  # English is the source language
    assert set(DEFAULTS["ADMIN_LANGUAGES"]) <= set(DEFAULTS["LANGUAGES"])
    assert {"nl", "tr"} <= shipped


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_every_catalogue_translates_every_message(path: Path, wanted: set[str]) -> None:
    catalog = _read(path)
    missing = sorted(str(i) for i in wanted if i not in catalog or not all(_strings(catalog[i].string)))
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not missing, f"{path.parent.parent.name} untranslated (run `make extract-messages`, translate): {missing}"
    assert not fuzzy, f"{path.parent.parent.name} fuzzy translations: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_source(path: Path) -> None:
    mismatched = []
    for message in _read(path):
        if not message.id:
            continue
        sources, texts = _strings(message.id), _strings(message.string)
        if len(sources) == 1:
            wrong = _placeholders(texts[0]) != _placeholders(sources[0])
        else:  # a plural's form for one may say "one" instead of the number (Dutch "één brief"); the others not
            allowed = _placeholders(sources[0]) | _placeholders(sources[1])
            wrong = any(not _placeholders(text) <= allowed for text in texts)
            wrong |= _placeholders(texts[-1]) != _placeholders(sources[1])
        if wrong and any(texts):
            mismatched.append((message.id, message.string))
    assert not mismatched, f"{path.parent.parent.name}: placeholders differ from the source: {mismatched}"
