"""The house's dependency order (docs/architecture.md) holds: import-linter's contracts in pyproject.toml pass, and
they fail, naming the import, when a room imports one above it or another room's pages."""

import shutil
import subprocess
import sys
from pathlib import Path

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


def test_a_lower_room_importing_a_higher_one_breaks_the_order(tmp_path: Path) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project, "outreach.directory.models", "from outreach.reports import stats")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "outreach.directory is not allowed to import outreach.reports" in result.stdout
    assert "outreach.directory.models -> outreach.reports.stats" in result.stdout


def test_a_room_importing_another_rooms_page_module_is_refused(tmp_path: Path) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project, "outreach.reports.stats", "from outreach.campaigns.admin import bp")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "No other room imports the campaigns room's pages BROKEN" in result.stdout
    assert "outreach.reports.stats -> outreach.campaigns.admin" in result.stdout


def test_a_shared_module_importing_a_room_is_refused(tmp_path: Path) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project, "outreach.i18n", "from outreach.campaigns import texts")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "Shared modules import no room BROKEN" in result.stdout


def test_registering_a_job_with_the_worker_is_refused(tmp_path: Path) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project, "outreach.privacy.retention", "from outreach.outbox.worker import Worker")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "outreach.privacy.retention -> outreach.outbox.worker" in result.stdout
