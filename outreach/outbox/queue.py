"""The queue as organisers see and steer it: counts, alerts, pause and resume, retry, hold, release and cancel."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import func, select, update

from outreach.accounts.models import Account
from outreach.database import insert_unless_present, utcnow
from outreach.extensions import db
from outreach.labels import N_
from outreach.outbox import digest, states
from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import DIGEST, LETTER, NOTICE, DeliveryAttempt, OutboxControl, OutboxMessage
from outreach.urls import public_url

log = logging.getLogger(__name__)

CONTROL_ID = 1
MAX_AUTOMATIC_PAUSE = 3600

# Why sending paused, stored in English and shown translated (outbox_admin.pause_reason); otherwise the reason is
# the mail server's own answer.
PAUSED_BY_ORGANISER = N_("paused by an organiser")
CONNECTION_FAILURES = N_("%(count)s connection failures in a row: %(error)s")
PAUSE_REASONS = (PAUSED_BY_ORGANISER, CONNECTION_FAILURES)
CAMPAIGN_STOPPED = "campaign_stopped"  # the hold reason of the kill switch (the campaign is paused)


def control_row(lock: bool = False) -> OutboxControl:
    """The queue's single control row, created on first use."""
    control = db.session.get(OutboxControl, CONTROL_ID, with_for_update=lock or None)
    if control is None:
        insert_unless_present(OutboxControl, id=CONTROL_ID)
        control = db.session.get(OutboxControl, CONTROL_ID, with_for_update=lock or None, populate_existing=True)
    assert control is not None
    return control


def pause(control: OutboxControl, reason: str, now: datetime, automatic: bool = True, by: str = "worker") -> None:
    """Stop all sending. The circuit breaker pauses `automatic`-ally for a while (longer each time it trips in a
    row); a pause by an organiser, or for a fault that will not mend itself (bad credentials), lasts until resumed."""
    control.paused, control.pause_reason, control.paused_at, control.paused_by = True, reason[:500], now, by
    control.resume_at = None
    if automatic:
        cooldown = current_app.config["OUTBOX_BREAKER_COOLDOWN"] * 2**control.breaker_trips
        control.resume_at = now + timedelta(seconds=min(cooldown, MAX_AUTOMATIC_PAUSE))
        control.breaker_trips += 1
    control.connection_failures = 0
    log.error("outbox paused by %s: %s", by, reason)


def resume(control: OutboxControl) -> None:
    control.paused, control.breaker_trips = False, 0
    control.pause_reason = control.paused_at = control.paused_by = control.resume_at = None


def counts() -> dict[str, int]:
    """Messages per status (every status present, zero when none)."""
    found = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {status: found.get(status, 0) for status in states.STATES}


def oldest_waiting(now: datetime) -> timedelta | None:
    """How long the longest-waiting message has waited since it was queued: due ones and ones waiting to retry
    (not those put off on purpose, by the daily cap or sending hours). None when there is none."""
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            (OutboxMessage.status == states.RETRY_WAIT)
            | ((OutboxMessage.status == states.QUEUED) & (OutboxMessage.next_attempt_at <= now))
        )
    )
    return now - oldest if oldest else None


def recent_failure_share(last: int = 100) -> tuple[int, int]:
    """(failed, finished) among the last `last` messages that reached an end (sent or failed)."""
    recent = (
        select(OutboxMessage.status)
        .where(OutboxMessage.status.in_([states.SENT, states.FAILED]))
        .order_by(OutboxMessage.last_attempt_at.desc())
        .limit(last)
        .subquery()
    )
    rows = db.session.execute(select(recent.c.status, func.count()).group_by(recent.c.status)).all()
    by_status = dict(rows)
    return by_status.get(states.FAILED, 0), sum(by_status.values())


def problems(now: datetime | None = None) -> list[str]:
    """What organisers should know about right now: a pause, a stuck queue, many failures, no worker."""
    now = now or utcnow()
    config = current_app.config
    found: list[str] = []
    control = db.session.get(OutboxControl, CONTROL_ID)
    if control and control.paused:
        found.append("paused")
    age = oldest_waiting(now)
    found += delivery_problems(control, age, now)
    failed, finished = recent_failure_share()
    if finished and failed / finished > config["OUTBOX_ALERT_FAILURE_SHARE"]:
        found.append("failures")
    return found


def delivery_problems(control: OutboxControl | None, age: timedelta | None, now: datetime) -> list[str]:
    """Whether mail is stuck, for the organisers' banner and `/healthz` alike: "slow" when a due message has waited
    longer than OUTBOX_ALERT_QUEUE_AGE, "no_worker" when mail waits and no worker was seen for
    OUTBOX_WORKER_SILENT_SECONDS. `age` is the oldest waiting message's (`oldest_waiting`)."""
    config = current_app.config
    found = []
    if age is not None and age.total_seconds() > config["OUTBOX_ALERT_QUEUE_AGE"]:
        found.append("slow")
    seen = control.worker_seen_at if control is not None else None
    if age is not None and (seen is None or (now - seen).total_seconds() > config["OUTBOX_WORKER_SILENT_SECONDS"]):
        found.append("no_worker")
    return found


def by_campaign() -> list[tuple[int, dict[str, int]]]:
    """Per campaign: its letters per status, for the kill switch (confirmations and notices to its supporters are
    not letters, so they are not counted here)."""
    rows = db.session.execute(
        select(OutboxMessage.campaign_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_id.is_not(None), OutboxMessage.kind == LETTER)
        .group_by(OutboxMessage.campaign_id, OutboxMessage.status)
        .order_by(OutboxMessage.campaign_id)
    ).all()
    result: dict[int, dict[str, int]] = {}
    for campaign_id, status, count in rows:
        result.setdefault(campaign_id, dict.fromkeys(states.STATES, 0))[status] = count
    return list(result.items())


def hold_campaign(campaign_id: int) -> int:
    """The kill switch: every waiting message of the campaign is held (in-flight ones finish their attempt)."""
    return states.move_all(
        OutboxMessage.campaign_id == campaign_id, states.HELD, hold_reason=CAMPAIGN_STOPPED, lease_until=None
    )


def hold_for_campaign(message: OutboxMessage) -> None:
    """Keep one message back because its campaign is paused (released with the rest when the campaign resumes)."""
    states.move(message, states.HELD)
    message.hold_reason, message.lease_until = CAMPAIGN_STOPPED, None


def release_campaign(campaign_id: int) -> int:
    """Undo the kill switch: messages held by it are queued again (other holds stay)."""
    return states.move_all(
        (OutboxMessage.campaign_id == campaign_id)
        & (OutboxMessage.status == states.HELD)
        & (OutboxMessage.hold_reason == CAMPAIGN_STOPPED),
        states.QUEUED,
        hold_reason=None,
        next_attempt_at=utcnow(),
    )


def cancel_supporter(email: str) -> int:
    """Cancel every letter of one supporter that has not gone out yet."""
    return states.move_all(
        func.lower(OutboxMessage.supporter_email) == email.strip().lower(), states.CANCELLED, lease_until=None
    )


def release(message: OutboxMessage) -> None:
    """Send a held message after all (checked again when it is due: a member who left is held again)."""
    states.move(message, states.QUEUED)
    message.hold_reason, message.next_attempt_at = None, utcnow()


def retry(message: OutboxMessage) -> None:
    """Try a failed message again, with a fresh count of attempts."""
    states.move(message, states.QUEUED)
    message.attempts, message.first_attempt_at, message.next_attempt_at = 0, None, utcnow()
    if message.kind == DIGEST:
        digest.retried(message.id)


def cancel(message: OutboxMessage) -> None:
    states.move(message, states.CANCELLED)
    if message.kind == DIGEST:
        digest.cancelled(message.id)


REMOVED = "[removed]"


def forget(message_ids: list[int | None]) -> None:
    """Wipe messages that must not be kept (the confirmation e-mail of a letter never confirmed): not sent if still
    waiting, and their text, addresses and the server's answers (which may quote an address) removed."""
    ids = [message_id for message_id in message_ids if message_id is not None]
    if not ids:
        return
    states.move_all(OutboxMessage.id.in_(ids), states.CANCELLED, lease_until=None)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            subject=REMOVED,
            body=REMOVED,
            recipient=REMOVED,
            recipient_name=None,
            reply_to=None,
            supporter_email=None,
            supporter_name=None,
            last_text=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(ids))
        .values(text=None)
        .execution_options(synchronize_session=False)
    )


PROBLEM_TEXT = {
    "paused": lazy_gettext("Sending is paused."),
    "slow": lazy_gettext("Messages have been waiting longer than they should."),
    "failures": lazy_gettext("Many recent messages failed."),
    "no_worker": lazy_gettext("No delivery worker is running: nothing is being sent."),
}


def alert_organisers(control: OutboxControl, now: datetime) -> None:
    """E-mail every organiser once when sending gets stuck or many messages fail; again only after it recovered.
    (The same problems show on every organiser page; the e-mail reaches them when mail flows again.)"""
    found = [problem for problem in problems(now) if problem != "no_worker"]
    if not found:
        control.alert_sent_at = None
        return
    if control.alert_sent_at is not None:
        return
    control.alert_sent_at = now
    log.error("outbox alert: %s", ", ".join(found))
    text = render_email(
        "organiser_alert",
        current_app.config["BABEL_DEFAULT_LOCALE"],
        problems=[PROBLEM_TEXT[problem] for problem in found],
        link=public_url("outbox_admin.index"),
    )
    for address in db.session.scalars(select(Account.email).where(Account.active)):
        enqueue(NOTICE, Recipient(None, address), text.subject, text.body)
