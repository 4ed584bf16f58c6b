"""What docs/deploy.md tells a foundation to install starts: gunicorn with the shipped configuration serves the app,
the systemd units run commands that exist, and a backup made by the shipped script restores."""

import configparser
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from outreach.directory.models import Member
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database
from tests.smtpserver import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
BIN = Path(sys.executable).parent


def units() -> dict[str, configparser.ConfigParser]:
    found = {}
    for path in sorted((DEPLOY / "systemd").iterdir()):
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(path)
        found[path.name] = parser
    return found


def test_gunicorn_with_the_shipped_configuration_serves_the_app(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "OUTREACH_SECRET_KEY": "deploy-test",
        "OUTREACH_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/deploy.sqlite",
        "OUTREACH_BIND": f"127.0.0.1:{port}",
        "OUTREACH_WEB_WORKERS": "2",
    }
    upgrade = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(20)
        server.stderr.close()
    assert server.returncode == 0  # a clean shutdown on SIGTERM, as systemd sends it


def test_the_systemd_units_run_commands_that_exist(app: Flask) -> None:
    found = units()
    assert {"outreach-web.service", "outreach-worker.service", "outreach-sync.timer", "outreach-backup.timer"} <= set(
        found
    )
    runner = app.test_cli_runner()
    for name, unit in found.items():
        if not name.endswith(".service"):
            assert unit.has_option("Timer", "OnCalendar") and unit["Install"]["WantedBy"] == "timers.target"
            assert name.replace(".timer", ".service") in found
            continue
        command = unit["Service"]["ExecStart"].split()
        program = Path(command[0])
        if program.name == "flask":
            result = runner.invoke(args=[*command[1:], "--help"])
            assert result.exit_code == 0, (name, result.output)
        elif program.name == "gunicorn":
            assert (ROOT / command[command.index("--config") + 1]).exists()
        else:
            assert program.is_relative_to("/srv/outreach")
            assert (ROOT / program.relative_to("/srv/outreach")).exists(), name
        assert unit["Service"].get("EnvironmentFile") == "/etc/outreach/outreach.env"


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: set OUTREACH_TEST_DATABASE_URL (CI does)")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_backup_made_by_the_shipped_script_restores(tmp_path: Path) -> None:
    from outreach.extensions import db
    from tests.builders import build_directory
    from tests.conftest import make_app

    source = create_postgres_database("backup")
    target = create_postgres_database("restore")
    try:
        app = make_app(source)
        with app.app_context():
            db.create_all()
            build_directory()
            db.session.remove()
            db.engine.dispose()
        env = {**os.environ, "OUTREACH_SQLALCHEMY_DATABASE_URI": source}
        made = subprocess.run([str(DEPLOY / "backup.sh"), str(tmp_path)], env=env, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        [dump] = tmp_path.glob("outreach-*.dump")
        plain = target.replace("postgresql+psycopg:", "postgresql:")
        restored = subprocess.run(["pg_restore", "--no-owner", "-d", plain, str(dump)], capture_output=True, text=True)
        assert restored.returncode == 0, restored.stderr
        engine = create_engine(target)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Member.__table__)).scalar() == 7
            assert connection.execute(text("SELECT count(*) FROM committee_seat")).scalar() == 7
        engine.dispose()
    finally:
        drop_postgres_database(source)
        drop_postgres_database(target)


def test_the_deployment_guide_names_files_that_exist() -> None:
    import re

    guide = (ROOT / "docs" / "deploy.md").read_text()
    named = set(re.findall(r"docs/deploy/[\w./-]+", guide))
    assert len(named) >= 6
    for path in named:
        assert (ROOT / path.rstrip(".")).exists(), path
