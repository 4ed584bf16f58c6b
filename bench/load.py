"""Load test: gunicorn (the shipped configuration: 4 workers, 1 thread each) with the outbox worker running and a
loopback SMTP sink, driven by locust on the same machine. Three phases in one run: a bare Flask "hello" route
served the same way (the yardstick), the directory page alone, and a mix of directory browsing, campaign pages
and letter submissions (the per-address submission limit raised). Then it checks that every accepted submission has
its letters, how fast the outbox sent during the mix against the rate it was given, and that a rate limit (6 requests
for a privacy link, the limit being 5 an hour) holds across the 4 gunicorn workers.

    .venv/bin/python bench/load.py                                                       # SQLite
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1/test   # PostgreSQL + Redis limits
    options: --users 50 --seconds 60 --yardstick-seconds 20 --think 0,0.2 --write-weight 3 --outbox-rate 0
             --limits-uri redis://127.0.0.1:6379 (the default with PostgreSQL; memory:// otherwise)
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import func, select

from bench.outbox_bench import start_sink
from outreach.campaigns.cli import BUNDLED, load_campaign
from outreach.campaigns.models import Submission
from outreach.campaigns.targets import eligible_members, member_target
from outreach.database import utcnow
from outreach.directory.demo import load_demo
from outreach.extensions import db
from outreach.outbox.models import DeliveryAttempt, OutboxMessage
from tests import conftest
from tests.conftest import create_postgres_database, drop_postgres_database, make_app
from tests.faults import letters_per_supporter
from tests.smtpserver import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def prepare(url: str) -> list[str]:
    """The demo directory and the bundled campaign; returns the keys of members a letter may go to."""
    app = make_app(url)
    with app.app_context():
        db.create_all()
        load_demo()
        campaign = load_campaign(BUNDLED / "khojaly.json")
        db.session.commit()
        chosen = [member_target(member) for member in eligible_members(campaign)]
        keys = [target.key for target in chosen if target.blocked is None]  # with an address, not opted out
        db.session.remove()
        db.engine.dispose()
    return keys


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    for _ in range(300):
        try:
            requests.get(
                f"http://127.0.0.1:{port}/healthz" if "wsgi" in " ".join(command) else f"http://127.0.0.1:{port}/hello",
                timeout=2,
            )
            return process
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{command} did not start")


def locust(host: str, mix: str, args: argparse.Namespace, seconds: int, members: list[str], folder: Path) -> dict:
    prefix = folder / mix
    users = args.users
    env = {
        **os.environ,
        "LOAD_MIX": mix,
        "LOAD_MEMBERS": ",".join(members),
        "LOAD_ACCEPTED_FILE": str(folder / f"{mix}-accepted.txt"),
        "LOAD_THINK": args.think,
        "LOAD_WRITE_WEIGHT": str(args.write_weight),
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, min(20, users // 5))),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",  # users finish the request they are in: every answer is counted
            "30",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


def limit_check(host: str) -> list[int]:
    """Six requests for a privacy link from one address, each on a new connection (so any of the gunicorn workers
    may answer): with the limit of 5 an hour shared by all workers, the sixth must get 429."""
    answers = []
    for n in range(6):
        with requests.Session() as browser:
            browser.headers["Connection"] = "close"
            page = browser.get(f"{host}/privacy/my-data", timeout=30)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
            answer = browser.post(
                f"{host}/privacy/my-data",
                data={"csrf_token": token, "email": f"limit-{n}@example.org"},
                allow_redirects=False,
                timeout=30,
            )
            answers.append(answer.status_code)
    return answers


def send_rate(url: str, since: datetime, until: datetime) -> tuple[float, int]:
    """Messages the outbox sent per second between `since` and `until`, and how many still waited at the end."""
    app = make_app(url)
    with app.app_context():
        sent = db.session.scalar(
            select(func.count())
            .select_from(DeliveryAttempt)
            .where(DeliveryAttempt.outcome == "sent", DeliveryAttempt.finished_at.between(since, until))
        )
        waiting = db.session.scalar(
            select(func.count()).where(OutboxMessage.status.in_(["queued", "sending", "retry_wait"]))
        )
        db.session.remove()
        db.engine.dispose()
    return sent / (until - since).total_seconds(), waiting


def line(label: str, row: dict) -> str:
    return (
        f"| {label} | {int(row['Request Count'])} | {float(row['Requests/s']):.0f} | {row['50%']} | {row['95%']} | "
        f"{row['99%']} | {int(row['Failure Count'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--yardstick-seconds", type=int, default=20)
    parser.add_argument("--think", default="0,0.2", help="min,max seconds a visitor pauses between pages")
    parser.add_argument("--write-weight", type=int, default=3, help="how often a visitor writes (7: 1 request in 5)")
    parser.add_argument("--outbox-rate", type=float, default=0, help="OUTBOX_RATE for the worker (0: no limit)")
    parser.add_argument("--limits-uri", help="rate-limit storage (default: Redis with PostgreSQL, memory:// else)")
    args = parser.parse_args()
    limits = args.limits_uri or ("redis://127.0.0.1:6379" if args.database_url else "memory://")
    folder = Path(tempfile.mkdtemp())
    if args.database_url:
        conftest.POSTGRES_URL = args.database_url
        url = create_postgres_database("load")
    else:
        url = f"sqlite:///{folder}/load.sqlite"
    members = prepare(url)
    sink, smtp_port = start_sink()
    web_port, hello_port = free_port(), free_port()
    env = {
        **os.environ,
        "OUTREACH_SECRET_KEY": "load-test",
        "OUTREACH_SQLALCHEMY_DATABASE_URI": url,
        "OUTREACH_MAIL_PORT": str(smtp_port),
        "OUTREACH_SESSION_COOKIE_SECURE": "false",  # plain http on loopback
        "OUTREACH_FORM_MIN_SECONDS": "0",
        "OUTREACH_SUBMISSION_LIMIT_PER_IP": '"1000000/hour"',
        "OUTREACH_LOG_LEVEL": '"WARNING"',
        "OUTREACH_OUTBOX_RATE": str(args.outbox_rate),
        "OUTREACH_RATELIMIT_STORAGE_URI": json.dumps(limits),
        "OUTREACH_RATELIMIT_KEY_PREFIX": json.dumps(f"load-{uuid.uuid4().hex[:8]}"),  # counts of earlier runs
    }
    config = str(ROOT / "docs" / "deploy" / "gunicorn.conf.py")
    processes = [sink]
    try:
        processes.append(
            start(
                [str(BIN / "gunicorn"), "-c", config, "--bind", f"127.0.0.1:{web_port}", "wsgi:app"],
                env,
                web_port,
                folder / "gunicorn-web.log",
            )
        )
        processes.append(
            start(
                [str(BIN / "gunicorn"), "-c", config, "--bind", f"127.0.0.1:{hello_port}", "bench.hello:app"],
                env,
                hello_port,
                folder / "gunicorn-hello.log",
            )
        )
        processes.append(
            subprocess.Popen(
                [str(BIN / "flask"), "outbox", "work"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        web = f"http://127.0.0.1:{web_port}"
        hello = locust(f"http://127.0.0.1:{hello_port}", "hello", args, args.yardstick_seconds, members, folder)
        directory = locust(web, "directory", args, args.yardstick_seconds, members, folder)
        mix_started = utcnow()
        mixed = locust(web, "mixed", args, args.seconds, members, folder)
        mix_ended = utcnow()
        limited = limit_check(web)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    crashes = sum(log.read_text().count("SIGSEGV") for log in folder.glob("gunicorn-*.log"))

    backend = ("PostgreSQL" if args.database_url else "SQLite") + f", rate limits in {limits.split(':')[0]}"
    threads = os.environ.get("OUTREACH_WEB_THREADS", "1")
    print(
        f"\n{backend}; {args.users} users pausing {args.think.replace(',', '-')} s, write weight {args.write_weight}; "
        f"gunicorn 4 workers × {threads} thread(s); outbox worker running\n"
    )
    print("| phase / request | requests | req/s | p50 ms | p95 ms | p99 ms | failures |\n|---|---|---|---|---|---|---|")
    print(line("hello (bare Flask)", hello["/hello"]))
    print(line("directory /members alone", directory["/members"]))
    for name, row in mixed.items():
        print(line(f"mixed: {name}", row))
    ratio = float(hello["/hello"]["Requests/s"]) / max(float(directory["/members"]["Requests/s"]), 0.001)
    print(f"\nhello req/s ÷ directory req/s = {ratio:.1f}")

    accepted = set(filter(None, (folder / "mixed-accepted.txt").read_text().split("\n")))
    app = make_app(url)
    with app.app_context():
        letters_of = letters_per_supporter()
        submissions = db.session.scalar(select(func.count()).select_from(Submission))
        db.session.remove()
        db.engine.dispose()
    lost = [email for email in accepted if letters_of.get(email) != 3]
    print(
        f"letters accepted (302): {len(accepted)}; of those in the database with their 3 letters: "
        f"{len(accepted) - len(lost)}; lost: {len(lost)}; submissions in the database: {submissions}; "
        f"gunicorn workers that crashed: {crashes}"
    )
    steady = mix_started + timedelta(seconds=min(60, args.seconds / 4))  # once the users are all there
    rate, waiting = send_rate(url, steady, mix_ended)
    print(
        f"outbox: {rate:.1f} messages/s sent in the mix after its first {(steady - mix_started).seconds} s "
        f"(OUTBOX_RATE {args.outbox_rate:g}{', no limit' if not args.outbox_rate else ''}); "
        f"{waiting} still waiting when the mix ended"
    )
    print(f"six requests for a privacy link (limit 5 an hour, {limits.split(':')[0]}): {limited}")
    if args.database_url:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
