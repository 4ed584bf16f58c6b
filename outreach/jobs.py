"""Periodic jobs: the housekeeping each room hands to the delivery worker (confirmation reminders, retention, reply
fetching, surveys), kept here so that a room registers a job without importing the worker."""

from collections.abc import Callable
from datetime import datetime

from flask import Flask

PERIODIC_JOBS = "outreach.periodic_jobs"  # app.extensions key: (job, own_transactions) pairs, in registration order

Job = Callable[[datetime], object]


def register_periodic_job(app: Flask, job: Job, own_transactions: bool = False) -> None:
    """Have every worker run `job(now)` about once a minute: inside a write transaction it commits, or, for a job
    that talks to another server on the way (`own_transactions`), as it is, opening short transactions itself."""
    app.extensions.setdefault(PERIODIC_JOBS, []).append((job, own_transactions))


def periodic_jobs(app: Flask) -> list[tuple[Job, bool]]:
    """The jobs registered so far, with whether each opens its own transactions."""
    return list(app.extensions.get(PERIODIC_JOBS, []))
