"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds from the repository root."""

import gc

from outreach import create_app

app = create_app()
# What start-up built (modules, the application, its routes and templates' code) lives as long as the process:
# frozen, the garbage collector no longer walks it on every collection (a few ms per request on the chooser).
# gunicorn imports this module in each worker after forking (no preload_app), so each worker freezes its own.
gc.freeze()
