"""What docs/deploy.md tells a foundation to install starts: gunicorn with the shipped configuration serves the app,
systemd finds nothing wrong with the units, the services start, answer, reload and stop as systemd runs them (the
way it starts them, its readiness protocol and its stop signal), and a backup made by the shipped script restores."""

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from outreach.config import DEFAULTS
from outreach.directory.models import Member
from outreach.extensions import db
from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.models import NOTICE
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database, make_app
from tests.smtpserver import SinkServer, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
BIN = Path(sys.executable).parent
ANSWER_SECONDS = 30  # how long a page may take on a loaded machine (a page takes well under a second alone)


def units() -> dict[str, configparser.ConfigParser]:
    found = {}
    for path in sorted((DEPLOY / "systemd").iterdir()):
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(path)
        found[path.name] = parser
    return found


@pytest.mark.realtime
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
        # The master listens at once; its workers answer once they have loaded the app, which on a busy machine
        # takes a while: until then a request is refused or waits unanswered.
        deadline = time.monotonic() + 90
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=ANSWER_SECONDS)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=ANSWER_SECONDS).status_code == 200
    finally:
        server.terminate()
        server.wait(20)
        server.stderr.close()
    assert server.returncode == 0  # a clean shutdown on SIGTERM, as systemd sends it


def test_the_timers_start_their_services() -> None:
    found = units()
    assert {"outreach-web.service", "outreach-worker.service", "outreach-sync.timer", "outreach-backup.timer"} <= set(
        found
    )
    for name, unit in found.items():
        if name.endswith(".timer"):
            assert unit.has_option("Timer", "OnCalendar") and unit["Install"]["WantedBy"] == "timers.target"
            assert name.replace(".timer", ".service") in found
        else:
            assert unit["Service"]["EnvironmentFile"] == "/etc/outreach/outreach.env"


def install(folder: Path) -> Path:
    """The units as docs/deploy.md installs them, but pointing at this checkout (and its virtualenv) instead of
    /srv/outreach, at an outreach.env in `folder` and at a backup folder in `folder`."""
    target = folder / "units"
    target.mkdir()
    for path in (DEPLOY / "systemd").iterdir():
        text = path.read_text().replace("/srv/outreach/.venv/bin", str(BIN)).replace("/srv/outreach", str(ROOT))
        text = text.replace("/etc/outreach/outreach.env", str(folder / "outreach.env"))
        (target / path.name).write_text(text.replace("/var/backups/outreach", str(folder / "backups")))
    return target


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_wrong_with_the_units(tmp_path: Path) -> None:
    folder = install(tmp_path)
    (tmp_path / "outreach.env").write_text((DEPLOY / "outreach.env.example").read_text())
    names = sorted(path.name for path in folder.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads an EnvironmentFile: comments and blank lines skipped, quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return values


class Service:
    """One [Service] of an installed unit, started as systemd starts it: its WorkingDirectory, only systemd's own
    PATH and the variables of its EnvironmentFile."""

    def __init__(self, folder: Path, name: str) -> None:
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str
        parser.read(folder / name)
        self.section = parser["Service"]
        environment = environment_file(Path(self.section["EnvironmentFile"]))
        self.environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG": "C.UTF-8"}
        self.environment.update(environment)

    def start(self, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.section["ExecStart"].split(),
            cwd=self.section.get("WorkingDirectory", "/"),
            env={**self.environment, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self, process: subprocess.Popen) -> int:
        """SIGTERM (KillSignal) and the unit's TimeoutStopSec, as `systemctl stop` does."""
        process.send_signal(getattr(signal, self.section.get("KillSignal", "SIGTERM")))
        code = process.wait(int(self.section.get("TimeoutStopSec", "90")))
        process.stderr.close()
        return code


def local_environment(tmp_path: Path, **local: str) -> None:
    """outreach.env from the shipped example, with the local services of this machine instead of the provider's."""
    example = environment_file(DEPLOY / "outreach.env.example")
    known = set(DEFAULTS) | {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI"}
    unknown = [
        key for key in example if key.removeprefix("OUTREACH_") not in known and "_MAIL_" not in key
    ]  # Flask-Mail's
    assert not unknown, f"the example sets settings Outreach does not have: {unknown}"
    # no mail provider, no mailbox and no DKIM key on this machine
    for key in (
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "IMAP_HOST",
        "IMAP_USERNAME",
        "IMAP_PASSWORD",
        "DKIM_PRIVATE_KEY_FILE",
    ):
        example.pop(f"OUTREACH_{key}")
    example.update({f"OUTREACH_{key}": value for key, value in local.items()})
    (tmp_path / "outreach.env").write_text("".join(f'{key}="{value}"\n' for key, value in example.items()))


def worker_processes(pid: int) -> set[int]:
    """The process ids of a gunicorn master's workers (its children, as Linux lists them)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


@pytest.mark.realtime
def test_the_services_start_answer_reload_and_stop_as_systemd_runs_them(tmp_path: Path) -> None:
    from tests.tkfeed import Feed, large_house, serve

    folder = install(tmp_path)
    port = free_port()
    with SinkServer() as sink, serve(Feed(page_size=250)) as feed:
        large_house(feed, history=10)
        local_environment(
            tmp_path,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/outreach.sqlite",
            RATELIMIT_STORAGE_URI="memory://",
            MAIL_PORT=str(sink.port),
            MAIL_SERVER="127.0.0.1",
            MAIL_USE_TLS="false",
            OUTBOX_POLL_SECONDS="0.2",
            TK_SYNCFEED_URL=feed.base_url,
            BIND=f"127.0.0.1:{port}",
            WEB_WORKERS="2",
        )
        web, worker, sync = (Service(folder, f"outreach-{name}.service") for name in ("web", "worker", "sync"))
        upgrade = subprocess.run(
            [str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=web.environment, capture_output=True, text=True
        )
        assert upgrade.returncode == 0, upgrade.stderr

        # the directory sync (a oneshot service, as its timer starts it)
        synced = sync.start()
        assert synced.wait(120) == 0, synced.stderr.read().decode()
        synced.stderr.close()

        # the web service (Type=notify): ready when gunicorn says so, reloads on HUP, stops cleanly
        assert web.section["Type"] == "notify"
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(tmp_path / "notify"))
        notify.settimeout(60)
        server = web.start(NOTIFY_SOCKET=str(tmp_path / "notify"))
        try:
            assert b"READY=1" in notify.recv(4096)
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=ANSWER_SECONDS).json()["database"] == "ok"
            assert "Achternaam1" in requests.get(f"http://127.0.0.1:{port}/members", timeout=ANSWER_SECONDS).text
            before = worker_processes(server.pid)
            reload = web.section["ExecReload"].replace("$MAINPID", str(server.pid)).split()
            assert subprocess.run(reload, env=web.environment).returncode == 0
            deadline = time.monotonic() + 60  # gunicorn's graceful_timeout is 30 s
            while (now := worker_processes(server.pid)) & before or len(now) < len(before):
                assert time.monotonic() < deadline, "the reload did not replace the web workers"
                time.sleep(0.1)
            # the new workers serve
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=ANSWER_SECONDS).status_code == 200
        finally:
            assert web.stop(server) == 0
            notify.close()

        # the worker service: delivers what is queued, stops cleanly
        app = make_app(f"sqlite:///{tmp_path}/outreach.sqlite")
        with app.app_context():
            enqueue(NOTICE, Recipient("Steun", "steun@example.org"), "Onderwerp", "Tekst")
            db.session.commit()
            db.engine.dispose()
        running = worker.start()
        deadline = time.monotonic() + 90  # it delivers within its first polls; a loaded machine starts it slowly
        while not sink.sink.delivered and time.monotonic() < deadline:
            assert running.poll() is None, running.stderr.read().decode()
            time.sleep(0.1)
        assert worker.stop(running) == 0
        assert [d.rcpt_tos for d in sink.sink.delivered] == [["steun@example.org"]]


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: set OUTREACH_TEST_DATABASE_URL (CI does)")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_backup_made_by_the_shipped_script_restores(tmp_path: Path) -> None:
    from tests.builders import build_directory

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
