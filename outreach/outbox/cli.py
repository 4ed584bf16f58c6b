"""Commands: `flask outbox work` delivers, `flask outbox status` reports, `flask outbox dev-sink` catches mail."""

import signal
import threading

import click
from aiosmtpd.controller import Controller
from flask import current_app

from outreach.database import utcnow
from outreach.outbox import bp, pacing, queue
from outreach.outbox.devsink import FolderHandler
from outreach.outbox.worker import Worker


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
            pacing.parse_sending_hours(config["OUTBOX_SENDING_HOURS"])
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
