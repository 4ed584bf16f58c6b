"""The documentation stays true: every configuration default and every `flask` command is documented where a reader
looks for it, every relative link and anchor resolves, every command shown exists, and the retention rules are
written once. A failure says what to document where."""

import re
import subprocess
import unicodedata
from pathlib import Path

import click
import pytest
from flask import Flask

from outreach import create_app
from outreach.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
CONFIGURATION = DOCS / "configuration.md"
COMMANDS = DOCS / "commands.md"
RETENTION = DOCS / "processing-register.md"

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command under `group`, as the words typed after `flask`; another package's group counts as one."""
    found = []
    for name, command in sorted(group.commands.items()):
        words = (*path, name)
        ours = (getattr(command.callback, "__module__", "") or "").startswith("outreach")
        if isinstance(command, click.Group) and any(
            (getattr(sub.callback, "__module__", "") or "").startswith("outreach") for sub in command.commands.values()
        ):
            found.extend(commands(command, words))
        elif isinstance(command, click.Group) or ours:
            found.append((words, command))
    return found


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets (as GitHub makes it): lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = "".join(ch for ch in text if ch in " -" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        anchor, n = slug(heading), 1
        while anchor in found:  # a repeated heading gets -1, -2, ...
            anchor, n = f"{slug(heading)}-{n}", n + 1
        found.add(anchor)
    return found


def shown_commands(page: Path) -> list[str]:
    """Command lines shown in a page: lines of its code blocks and inline code that start with `make` or `flask`
    (after a `sudo -u user`, a `.venv/bin/`, a `$ ` prompt or environment assignments)."""
    text = page.read_text()
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    lines += INLINE_CODE.findall(FENCE.sub("", text))
    found = []
    for line in lines:
        line = line.split("#", 1)[0].strip().removeprefix("$ ")
        line = re.sub(r"^sudo -u \S+ ", "", line)
        line = re.sub(r"^(?:[A-Z_][A-Z0-9_]*=\S* )+", "", line)
        line = re.sub(r"^(?:\.venv|\$\(BIN\)|\S*/\.venv)/bin/", "", line)
        if re.match(r"(make|flask)( |$)", line):
            found.append(line.split("&&")[0].split("|")[0].strip())
    return found


def test_every_configuration_default_has_a_row_in_the_configuration_page() -> None:
    documented = CONFIGURATION.read_text()
    missing = [key for key in DEFAULTS if f"`OUTREACH_{key}`" not in documented]
    assert not missing, (
        f"{relative(CONFIGURATION)} does not document {', '.join(missing)}: add a row "
        "| `OUTREACH_<KEY>` | default | meaning | to the table of its subject (each key spelled in full)."
    )


def test_every_documented_setting_is_one_the_app_reads() -> None:
    known = {*DEFAULTS, "SECRET_KEY", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD"}
    known |= {"TEST_DATABASE_URL"}  # read by tests/conftest.py, for the suite's PostgreSQL runs
    documented = set(re.findall(r"`OUTREACH_([A-Z0-9_]+)`", CONFIGURATION.read_text()))
    unknown = sorted(documented - known)
    assert not unknown, f"{relative(CONFIGURATION)} documents settings outreach/config.py does not have: {unknown}"


def test_every_flask_command_has_a_row_in_the_commands_page(app: Flask) -> None:
    documented = COMMANDS.read_text()
    missing = [
        " ".join(words)
        for words, _command in commands(app.cli)
        if not re.search(rf"`flask {re.escape(' '.join(words))}(?=[ `])", documented)
    ]
    assert not missing, (
        f"{relative(COMMANDS)} does not document `flask {'`, `flask '.join(missing)}`: add a row "
        "| `flask <group> <command> [OPTIONS]` | what it does | to its table."
    )


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not ours to check here
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target} (no file {path})")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target} (no heading with anchor #{anchor} in {relative(linked)})")
    assert not broken, f"{relative(page)} links to what is not there: {broken}"


def make_targets() -> set[str]:
    """The targets `make` knows in the Makefile, as its database lists them (nothing is run)."""
    listed = subprocess.run(
        ["make", "-pRrq", "-f", str(ROOT / "Makefile"), ":"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    return set(re.findall(r"^([A-Za-z0-9_.\-/]+):", listed, re.M))


FLASK_OWN = {"run", "shell", "routes"}  # Flask's own commands, beside the app's


def flask_problem(app: Flask, words: list[str]) -> str | None:
    """Why `flask WORDS...` names no command (None when it does). Options before the command are skipped; words
    after it are its arguments; a group named alone (`flask db`) is fine."""
    while words and words[0].startswith("-"):
        words = words[2:] if words[0] == "--app" else words[1:]
    if not words or words[0] in FLASK_OWN:
        return None
    group: click.Group = app.cli
    for word in words:
        if word.startswith(("-", "[", "<", "{", "…")) or not word.isascii():
            return None
        command = group.commands.get(word)
        if command is None:
            return f"{group.name if group is not app.cli else 'flask'} has no command {word!r}"
        if not isinstance(command, click.Group):
            return None
        group = command
    return None


def test_every_make_or_flask_command_shown_in_the_docs_exists(app: Flask) -> None:
    targets = make_targets()
    wrong = []
    for page in PAGES:
        for line in shown_commands(page):
            words = line.split()
            if words[0] == "make":
                named = [word for word in words[1:] if "=" not in word and not word.startswith("-")]
                if named and named[0] not in targets:
                    wrong.append(f"{relative(page)}: `{line}` (the Makefile has no target {named[0]!r})")
            elif problem := flask_problem(app, words[1:]):
                wrong.append(f"{relative(page)}: `{line}` ({problem})")
    assert not wrong, "Commands shown that do not exist (fix the text, or the command): " + "; ".join(wrong)


def test_the_retention_rules_are_written_once_and_linked_from_the_others() -> None:
    text_days = DEFAULTS["SURVEY_COUNTS_DAYS"] + DEFAULTS["LETTER_TEXT_DAYS"]
    rules = [f"{text_days} days after sending", f"{DEFAULTS['IDENTITY_DAYS']} days after their last"]
    written = {relative(page) for page in PAGES for rule in rules if rule in page.read_text().replace("\n", " ")}
    assert written == {relative(RETENTION)}, (
        f"The retention rules belong in {relative(RETENTION)} (section Retention) only; found them in "
        f"{sorted(written)}. Link to processing-register.md#retention instead of repeating them."
    )
    assert "retention" in anchors(RETENTION)
    for page in (ROOT / "README.md", DOCS / "privacy.md", DOCS / "dpia.md", CONFIGURATION):
        assert "processing-register.md#retention" in page.read_text(), f"{relative(page)} does not link to the rules"


def test_every_page_of_the_docs_can_be_reached_from_the_readme() -> None:
    reached, todo = set(), [ROOT / "README.md"]
    while todo:
        page = todo.pop()
        if page in reached or not page.exists() or page.suffix != ".md":
            continue
        reached.add(page)
        for target in LINK.findall(FENCE.sub("", page.read_text())):
            path = target.partition("#")[0]
            if path and not re.match(r"[a-z]+:", target):
                todo.append((page.parent / path).resolve())
    lost = [relative(page) for page in PAGES if page not in reached]
    assert not lost, (
        f"{', '.join(lost)}: linked from nowhere. Add each to the README's table 'Where to go next', or link it from "
        "the page of its subject."
    )
