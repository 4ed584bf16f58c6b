"""Dutch first, English complete: every user-facing string is extracted and has a Dutch translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "outreach" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def test_every_message_in_the_code_has_a_dutch_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing = sorted(str(i) for i in wanted if i not in catalog or not all(_strings(catalog[i].string)))
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not missing, f"untranslated (run `make extract-messages` and translate): {missing}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"
    assert len(wanted) > 50


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)
