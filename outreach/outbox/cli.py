"""Commands: `flask outbox work` delivers, `flask outbox status` reports, `flask outbox dev-sink` catches mail,
`flask outbox check-domain` says whether receivers will trust the sending domain."""

import signal
import threading

import click
from flask import current_app
from flask_babel import force_locale

from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox import bp, domain, hours, queue
from outreach.outbox.devsink import FolderHandler
from outreach.outbox.worker import Worker
from outreach.validation import is_email


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    return stop


@bp.cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron or a test).")
def work(once: bool) -> None:
    """Deliver queued e-mail over SMTP until stopped (Ctrl+C or SIGTERM finish the message being sent first)."""
    config = current_app.config
    if config["OUTBOX_SENDING_HOURS"]:
        try:
            hours.parse(config["OUTBOX_SENDING_HOURS"])
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    worker = Worker()
    click.echo(f"Outbox worker {worker.id}: delivering via {config['MAIL_SERVER']}:{config['MAIL_PORT']}")
    worker.run(once=once, stop=_stop_on_signals())
    click.echo(f"Outbox worker {worker.id}: {worker.delivered} delivered, stopping.")


@bp.cli.command("status")
def status() -> None:
    """Messages per state, the oldest waiting one, and whether sending is paused."""
    now = utcnow()
    for state, count in queue.counts().items():
        click.echo(f"{state:<11} {count}")
    age = queue.oldest_waiting(now)
    click.echo(f"oldest due: {int(age.total_seconds())} s" if age else "oldest due: -")
    control = queue.control_row()
    click.echo(f"paused: {control.pause_reason}" if control.paused else "paused: no")


@bp.cli.command("dev-sink")
@click.option("--port", default=None, type=int, help="Port to listen on (default: MAIL_PORT).")
def dev_sink(port: int | None) -> None:
    """A local SMTP server for development: keeps every message in the instance folder (see /admin/dev-mail)."""
    from aiosmtpd.controller import Controller  # here: no other command, and no web process, needs aiosmtpd

    config = current_app.config
    folder = config["DEV_MAIL_DIR"]
    # Takes SMTPUTF8 like a modern relay, so that OUTREACH_MAIL_SMTPUTF8 can be tried out locally.
    controller = Controller(
        FolderHandler(folder), hostname="127.0.0.1", port=port or config["MAIL_PORT"], enable_SMTPUTF8=True
    )
    controller.start()
    click.echo(f"Development mail sink on 127.0.0.1:{controller.port}, keeping messages in {folder}")
    _stop_on_signals().wait()
    controller.stop()


SEVERITY_MARKS = {domain.OK: "ok", domain.ADVICE: "advice", domain.PROBLEM: "FIX"}


@bp.cli.command("check-domain")
@click.option("--send-test", "address", default=None, help="Also queue a test message to this address.")
@click.option("--language", default="en", show_default=True, help="en or nl: of the findings and the test message.")
def check_domain(address: str | None, language: str) -> None:
    """Look up the sending domain's SPF, DKIM and DMARC records and say what to fix; exits 1 when something must."""
    if language not in current_app.config["ADMIN_LANGUAGES"]:
        raise click.ClickException(f"--language: one of {', '.join(current_app.config['ADMIN_LANGUAGES'])}")
    if address is not None and not is_email(address, typed=False):
        raise click.ClickException(f"--send-test: not an e-mail address: {address}")
    with force_locale(language):
        report = domain.check()
        click.echo(f"{report.domain} (envelope {report.envelope_domain}, DKIM {report.dkim_domain or '-'})")
        for finding in report.findings:
            click.echo(f"[{SEVERITY_MARKS[finding.severity]}] {finding.topic.upper()}: {finding.text}")
            if finding.fix:
                click.echo(f"      {finding.fix}")
            if finding.record_value:
                click.echo(f'      {finding.record_name} TXT "{finding.record_value}"')
    if address is not None:
        domain.send_test(address, report, language)
        db.session.commit()
        click.echo(f"Test message queued for {address}.")
    if report.must_fix:
        raise SystemExit(1)
