"""Taking over from a worker that died: messages it left `sending` on this machine are due again at once."""

import os
import socket
from datetime import datetime

from sqlalchemy import select

from outreach.extensions import db
from outreach.outbox import states
from outreach.outbox.models import OutboxMessage


def release_dead_local_workers(now: datetime) -> None:
    """Messages left `sending` by a worker process on this machine that no longer exists are due at once (in the
    caller's write transaction), instead of when their lease runs out: a restart after a crash carries on
    straight away."""
    host = socket.gethostname()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == states.SENDING, OutboxMessage.worker_id.like(f"{host}:%"))
    )
    for row in rows:
        pid = int(row.worker_id.split(":")[1])
        if pid != os.getpid() and not _process_exists(pid):
            row.lease_until = now


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
