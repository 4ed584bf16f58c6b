"""The house's dependency order (docs/architecture.md) holds: import-linter's contracts in pyproject.toml pass, and
they fail, naming the import, when a room imports one above it or another room's pages."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts over the `outreach` package found in `project` (its own copy, not the installed one)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(project / "pyproject.toml")],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "outreach", tmp_path / "outreach", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(project: Path, module: str, line: str) -> None:
    path = project / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{line}  # noqa: E402, F401\n")


def test_the_code_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# (what a change adds, where, and what the report must then say)
BREAKS = {
    "a lower room importing a higher one": (
        "outreach.directory.models",
        "from outreach.reports import stats",
        [
            "outreach.directory is not allowed to import outreach.reports",
            "outreach.directory.models -> outreach.reports.stats",
        ],
    ),
    "a room importing another room's page module": (
        "outreach.reports.stats",
        "from outreach.campaigns.admin import bp",
        [
            "No other room imports the campaigns room's pages BROKEN",
            "outreach.reports.stats -> outreach.campaigns.admin",
        ],
    ),
    "a shared module importing a room": (
        "outreach.i18n",
        "from outreach.campaigns import texts",
        ["Shared modules import no room BROKEN", "outreach.i18n -> outreach.campaigns.texts"],
    ),
    "a room registering a job with the worker": (
        "outreach.privacy.retention",
        "from outreach.outbox.worker import Worker",
        ["Rooms register periodic jobs in outreach.jobs", "outreach.privacy.retention -> outreach.outbox.worker"],
    ),
}


@pytest.mark.parametrize(("module", "line", "report"), BREAKS.values(), ids=BREAKS.keys())
def test_an_import_against_the_order_breaks_a_contract(
    tmp_path: Path, module: str, line: str, report: list[str]
) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project, module, line)
    result = lint_imports(project)
    assert result.returncode == 1
    for words in report:
        assert words in result.stdout
