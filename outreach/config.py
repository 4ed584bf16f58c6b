"""Configuration: embedded defaults, then OUTREACH_* environment variables, then the mapping given to create_app."""

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # Flask-Babel: Dutch first; English is the source language of every message. LANGUAGES: every interface
    # language, each with a catalogue in outreach/translations/ (docs/languages.md); organiser pages in ADMIN_LANGUAGES.
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en", "az", "tr"],
    "ADMIN_LANGUAGES": ["nl", "en"],
    # Flask-SQLAlchemy: SQLite in the instance folder unless a URL is configured (filled in by load_config).
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # Flask-Limiter: per process; set redis://127.0.0.1:6379 when several processes serve the app.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Said outright: the one limiter otherwise keeps the setting of the last app that switched it off (tests do).
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT": "5/minute;20/hour",  # password attempts, and second-factor codes, per IP and per account
    # Organiser accounts (see outreach/accounts/): who needs a second factor ("admin" or "all"), password resets.
    "ACCOUNTS_REQUIRE_TOTP_FOR": "admin",
    "PASSWORD_RESET_SECONDS": 3600,  # a reset link works this long, once
    "PASSWORD_RESET_LIMIT_PER_ADDRESS": "3/hour;10/day",  # reset links asked for one address
    "PASSWORD_RESET_LIMIT_PER_IP": "10/hour;30/day",  # reset links asked for from one internet address
    "PROXY_COUNT": 0,  # reverse proxies in front of the app (1 behind nginx or Caddy)
    # Sessions: organisers stay logged in for a working day at most.
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: secure unless DEBUG (see load_config)
    "SESSION_COOKIE_HTTPONLY": True,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Links in e-mail (confirmation, opt-out) start with this: the address the public reaches the site at.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Flask-Mail: the local development sink (`make run` starts it); production sets its own relay, with
    # MAIL_USE_TLS / MAIL_USE_SSL, MAIL_USERNAME and MAIL_PASSWORD as Flask-Mail documents.
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 8025,
    "MAIL_DEFAULT_SENDER": "Outreach <noreply@outreach.localhost>",  # confirmations and notices to supporters
    "LETTERS_FROM": "letters@outreach.localhost",  # letters: "<Supporter> via <Campaign>" <this address>
    # Addresses with letters such as ü before the @ are accepted only when the relay announces SMTPUTF8 (RFC 6531):
    # turn this on after checking that it does. A queued message the relay cannot take fails with that reason.
    "MAIL_SMTPUTF8": False,
    # Look up each address's domain in DNS when a form is sent: off, because it costs every supporter a wait and
    # fails when DNS does; a mistyped address shows in the outbox instead, and the supporter can correct it.
    "EMAIL_CHECK_DELIVERABILITY": False,
    "BOUNCE_ADDRESS": None,  # e.g. bounces@campaign.example: each message gets bounces+<token>@… as envelope sender
    "MESSAGE_ID_DOMAIN": None,  # default: the domain of LETTERS_FROM
    "DKIM_DOMAIN": None,  # DKIM signing when DKIM_PRIVATE_KEY_FILE (PEM) or DKIM_PRIVATE_KEY is set
    "DKIM_SELECTOR": "outreach",
    "DKIM_PRIVATE_KEY": None,
    "DKIM_PRIVATE_KEY_FILE": None,
    # The own-domain check (flask outbox check-domain, /admin/outbox/domain): SPF, DKIM and DMARC as receivers see them.
    "DNS_RESOLVER": "",  # e.g. "127.0.0.1:5353": the DNS server to ask; empty: the system's (/etc/resolv.conf)
    "DNS_TIMEOUT": 5.0,  # seconds per lookup
    "OUTBOX_RELAY_IPS": "",  # the public addresses mail leaves from, when they are not MAIL_SERVER's (a provider)
    "DOMAIN_TEST_LIMIT": "5/hour;20/day",  # test messages one organiser may send from the check's page
    # The outbox worker (see outreach/outbox/worker.py).
    "OUTBOX_SMTP_TIMEOUT": 30,  # seconds for the connection and each SMTP command
    "OUTBOX_BATCH": 20,  # messages a worker claims at once (sent one by one, each answer recorded at once)
    "OUTBOX_LEASE_SECONDS": 300,  # a claimed message is given to another worker if not finished by then
    "OUTBOX_RETRY_BASE": 60,  # seconds before the first retry; ×5 each time (with jitter) ...
    "OUTBOX_RETRY_MAX": 7200,  # ... up to every two hours ...
    "OUTBOX_GIVE_UP_AFTER": 5 * 24 * 3600,  # ... and given up after five days (RFC 5321 asks for 4-5 days)
    "OUTBOX_MAX_ATTEMPTS": 100,
    "OUTBOX_RATE": 5.0,  # messages per second across all workers (your provider's quota); 0: no limit
    "OUTBOX_SENDING_HOURS": "",  # e.g. "08:00-18:00" (weekdays, BABEL_DEFAULT_TIMEZONE) for letters; see outbox.hours
    "OUTBOX_BREAKER_FAILURES": 5,  # connection failures in a row that pause the queue
    "OUTBOX_BREAKER_COOLDOWN": 300,  # seconds an automatic pause lasts (doubling while it keeps tripping)
    "OUTBOX_POLL_SECONDS": 2.0,  # how often an idle worker looks for due messages
    "OUTBOX_ALERT_QUEUE_AGE": 15 * 60,  # organisers are alerted when a due message waits longer than this ...
    "OUTBOX_ALERT_FAILURE_SHARE": 0.05,  # ... or when more of the last 100 messages than this failed
    # Mail waits and no worker was seen for this long: "no worker" on organiser pages and in /healthz (a running
    # worker is seen every few seconds, even while a mail server keeps it waiting)
    "OUTBOX_WORKER_SILENT_SECONDS": 120,
    "DEV_MAIL_DIR": None,  # where the development mail sink stores messages; default instance/dev-mail
    # Campaigns: the supporter's letter form and its limits (see outreach/campaigns/).
    "LETTER_MAX_LENGTH": 5000,  # characters in a supporter's letter
    "SUBMISSION_LIMIT_PER_IP": "10/hour;50/day",  # letters sent from one address on the internet
    "SUBMISSION_LIMIT_PER_ADDRESS": "3/hour;5/day",  # letters sent by one e-mail address
    "FORM_MIN_SECONDS": 3,  # a letter form sent sooner after it was shown is a robot's (nothing is created) ...
    "FORM_MAX_SECONDS": 2 * 3600,  # ... and so is one sent later without a preview in between
    "CONFIRM_VALID_SECONDS": 7 * 24 * 3600,  # the confirmation link works this long; then the letters are wiped
    "CONFIRM_REMINDER_AFTER": 24 * 3600,  # one reminder when not confirmed after this long
    "CHECK_MAIL_LIMIT": "3/hour;10/day",  # confirmation e-mails sent again or to a corrected address, per IP
    "DRAFT_KEEP_SECONDS": 24 * 3600,  # a letter being written is kept this long while recipients or language change
    "DRAFT_LIMIT_PER_IP": "60/hour",  # drafts saved from one internet address (each is a row until it expires)
    "OWN_MAIL_VALID_SECONDS": 7 * 24 * 3600,  # the page with links for the supporter's own mail program
    "SIMILARITY_THRESHOLD": 0.5,  # Dice score of personal parts from which a letter is held for review
    "SIMILARITY_MIN_FINGERPRINTS": 4,  # personal parts smaller than this are not compared (a word or two)
    "REVIEW_ADDRESS_DOMAINS": ["tweedekamer.nl"],  # letters from these domains (or a member's address) are reviewed
    # Replies (see outreach/replies/): each letter's Reply-To gets replies+<token>@… when REPLY_ADDRESS is set.
    "REPLY_ADDRESS": None,  # e.g. replies@campaign.example (a mailbox Outreach reads, or a provider forwards)
    "IMAP_HOST": None,  # the mailbox replies arrive in; fetched by `flask replies fetch` and by the worker
    "IMAP_PORT": None,  # default 993 with IMAP_SECURITY "ssl", 143 otherwise
    "IMAP_SECURITY": "ssl",  # ssl, starttls or none (none only for a server on this machine)
    "IMAP_USERNAME": None,
    "IMAP_PASSWORD": None,
    "IMAP_FOLDER": "INBOX",
    "IMAP_PROCESSED_FOLDER": "Outreach-processed",  # read messages are moved here; "" marks them read instead
    "IMAP_FETCH_SECONDS": 300,  # how often the worker fetches
    "IMAP_TIMEOUT": 60,
    "INBOUND_TOKEN": None,  # bearer token for POST /inbound/email (a mail provider's inbound webhook); unset: off
    "INBOUND_MAX_BYTES": 25 * 1024 * 1024,  # largest message the webhook takes
    "REPLY_RAW_KEEP_BYTES": 1024 * 1024,  # of an unassigned message, kept for an organiser to look at
    "SURVEY_AFTER_DAYS": 14,  # the follow-up e-mail asks whether the MPs replied this long after the letters went
    "SURVEY_REMINDER_AFTER_DAYS": 7,  # one reminder this long after it (day 21)
    "SURVEY_COUNTS_DAYS": 28,  # answers (and survey answers) later than this after sending do not count
    "SURVEY_LINK_VALID_DAYS": 90,
    "REPORT_MIN_LETTERS": 10,  # reply rates are shown from this many letters on
    # Privacy (see outreach/privacy/ and docs/processing-register.md): how long what is kept.
    "LETTER_TEXT_DAYS": 30,  # letter and reply texts are removed this long after the survey closes (day 28)
    "IDENTITY_DAYS": 730,  # supporters without newsletter consent are pseudonymised after 24 months without activity
    "PURGE_EVERY_SECONDS": 24 * 3600,  # the worker applies the retention rules this often
    "PRIVACY_LINK_SECONDS": 3600,  # a self-service link to one's data works this long, once
    "PRIVACY_REQUEST_LIMIT": "5/hour;20/day",  # requests for such a link per internet address
    # Who runs the site (outreach/organisation/): defaults for the settings admins edit at /admin/organisation.
    # Unset and not filled in there, a page leaves the detail out and the organiser home lists it as missing.
    "ORGANISATION_NAME": None,
    "ORGANISATION_DESCRIPTION_NL": None,
    "ORGANISATION_DESCRIPTION_EN": None,
    "ORGANISATION_WEBSITE": None,
    "ORGANISATION_EMAIL": None,  # the general contact address, on the about page and under e-mails
    "ORGANISATION_ADDRESS": None,  # postal address, on the about page
    "PRIVACY_CONTROLLER": None,  # who is responsible (name and city); default: the organisation's name
    "PRIVACY_CONTACT": None,  # where to write about privacy; default: the organisation's contact address
    "PRIVACY_PROCESSORS": None,  # a list (or lines); unset: the statement names the kinds of service generally
    "IMAGE_MAX_BYTES": 1024 * 1024,  # largest logo or campaign image an organiser may upload
    "DIRECTORY_CACHE_SECONDS": 60,  # the members page is rendered once per this long while the directory is unchanged
    "PUBLIC_COUNTER_SECONDS": 30,  # the public counter of letters sent is counted at most this often, per process
    # Operations: logs and /healthz.
    "LOG_FORMAT": "text",  # or "json": one JSON object per line, for a log collector
    "LOG_LEVEL": "INFO",
    "HEALTH_SYNC_MAX_AGE": 3 * 24 * 3600,  # /healthz reports "degraded" when the last directory sync is older
    # The Tweede Kamer's open-data SyncFeed, the source of the real directory.
    "TK_SYNCFEED_URL": "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/Feed",
    "TK_SYNC_TIMEOUT": 30,  # seconds per request
    "TK_SYNC_ATTEMPTS": 5,  # per page, on timeouts, connection errors, 429 and 5xx
    "TK_SYNC_BACKOFF": 2.0,  # seconds before the first retry, doubling (with jitter) up to a minute
    "AGENDA_SYNC_MONTHS": 24,  # a first `flask agenda sync` reads this many months of the House's business back
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres://, postgresql://)."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _create_sqlite_folder(url: str) -> None:
    """SQLite creates the database file but not its folder (the instance folder on a fresh checkout)."""
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def load_config(config: dict[str, Any], instance_path: str, overrides: Mapping[str, Any] | None) -> None:
    """Fill `config` (a Flask config) from defaults, the environment and `overrides`, and check it."""
    config.update(DEFAULTS)  # over Flask's own defaults, some of which (cookies, sessions) we set differently
    config.from_prefixed_env("OUTREACH")
    if not config.get("SQLALCHEMY_DATABASE_URI") and os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        config.update(overrides)

    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance_path) / "outreach.sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    _create_sqlite_folder(config["SQLALCHEMY_DATABASE_URI"])

    # Cookies only over HTTPS, except on a developer's own machine (flask --debug over plain http).
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = not config.get("DEBUG")
    if config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_NAME"] == "session":
        config["SESSION_COOKIE_NAME"] = "__Host-session"

    if config.get("DKIM_PRIVATE_KEY_FILE") and not config.get("DKIM_PRIVATE_KEY"):
        config["DKIM_PRIVATE_KEY"] = Path(config["DKIM_PRIVATE_KEY_FILE"]).read_text()
    if config.get("DKIM_PRIVATE_KEY") and not config.get("DKIM_DOMAIN"):
        config["DKIM_DOMAIN"] = config["LETTERS_FROM"].rpartition("@")[2]
    config["DEV_MAIL_DIR"] = config.get("DEV_MAIL_DIR") or str(Path(instance_path) / "dev-mail")

    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _development_secret_key(config, Path(instance_path))


class MissingSecretKey(click.ClickException):
    """Start-up stops with one paragraph (no traceback in `flask` commands) when no secret key is configured."""


SECRET_KEY_FILE = "secret_key"


def _development_secret_key(config: Mapping[str, Any], instance_path: Path) -> str:
    """The key for a developer's checkout: generated once into instance/secret_key, then reused by every process.

    `make run` starts with FLASK_DEBUG=1, which writes the file; from then on every `flask` command of that
    checkout (debug or not) signs with the same key, so links the worker mails open on the web server. Production
    sets OUTREACH_SECRET_KEY and never has the file; without either, start-up stops with an explanation.
    """
    if config.get("TESTING"):
        return secrets.token_hex(32)  # tests never write into the checkout
    path = instance_path / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if not config.get("DEBUG"):
        raise MissingSecretKey(
            "OUTREACH_SECRET_KEY is not set, and this checkout has no development key "
            f"({path}; `make run` creates one). In production set it to a long random value, for example: "
            "export OUTREACH_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
        )
    instance_path.mkdir(parents=True, exist_ok=True)
    descriptor, draft = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        # A hard link appears whole or not at all: when two processes start at once, the first key wins for both.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path.read_text().strip()
