"""Talking to the mail server: Flask-Mail connections with a timeout, and what each answer means for a message.

Flask-Mail opens `smtplib.SMTP(host, port)` without a timeout, so a server that accepts the connection and never
answers would hang the worker for ever; `TimedConnection` passes one. The connection is kept open between
messages (checked with NOOP after a pause) and dropped after any error.

What is recorded about an attempt is the server's own answer (a reply code and its text) or, when there is none,
one of the fixed `ATTEMPT_TEXTS` below, shown translated: never the text of a Python exception.
"""

import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message, email_dispatched

from outreach.labels import N_, stored_text
from outreach.validation import wire_address

log = logging.getLogger(__name__)

# What happens to a message after an attempt.
SENT = "sent"
RETRY = "retry"  # try again later (4xx, timeout, lost connection)
FAILED = "failed"  # the server refused this message for good (5xx for the recipient or the content)
PAUSE = "pause"  # the server refuses us, not this message: pause the whole queue, don't count the attempt

IDLE_CHECK_SECONDS = 10

# Outreach's own words for an attempt without a server answer, stored in English and shown in the reader's language
# (outbox_admin.outbox_answer): sentences a person can read in the database and the log too.
ACCEPTED = N_("accepted")
CONNECTION_REFUSED = N_("the mail server refused the connection (is it running, is the port right?)")
UNKNOWN_HOST = N_("the mail server's name could not be found (MAIL_SERVER)")
TIMEOUT = N_("the mail server did not answer in time")
DISCONNECTED = N_("the mail server closed the connection")
TLS = N_("no secure connection could be made with the mail server (TLS)")
CONNECTION = N_("the connection to the mail server failed")
NOT_OFFERED = N_(
    "the mail server does not offer what the settings ask for (STARTTLS or login): check MAIL_USE_TLS, "
    "MAIL_USE_SSL and MAIL_USERNAME"
)
NO_SMTPUTF8 = N_(
    "the address has letters such as ü before the @, and the mail server does not take such addresses "
    "(it does not announce SMTPUTF8)"
)
UNENCODABLE = N_("the message holds characters that cannot be sent to this mail server")
BAD_HEADER = N_("the message has an invalid header")
UNEXPECTED = N_("an unexpected error in Outreach (see the worker's log)")
INTERRUPTED_ATTEMPT = N_("the worker stopped during this attempt")
GAVE_UP = N_("gave up after %(count)s attempts")
ATTEMPT_TEXTS = (
    ACCEPTED,
    CONNECTION_REFUSED,
    UNKNOWN_HOST,
    TIMEOUT,
    DISCONNECTED,
    TLS,
    CONNECTION,
    NOT_OFFERED,
    NO_SMTPUTF8,
    UNENCODABLE,
    BAD_HEADER,
    UNEXPECTED,
    INTERRUPTED_ATTEMPT,
    GAVE_UP,
)


def explain(code: int | None, text: str | None) -> str:
    """What an attempt's record says, for a person: the server's reply code and answer as it gave them, or
    Outreach's own words in the reader's language."""
    if code is None or (code, text) == (250, ACCEPTED):  # our words, not the server's
        text = stored_text(text, ATTEMPT_TEXTS)
    return f"{code or ''} {text or ''}".strip()


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt, as recorded in the attempt log."""

    result: str
    code: int | None
    text: str
    recipient_refused: bool = False  # a 5xx at RCPT: the address itself is bad
    connection_failed: bool = False  # no conversation (refused, timed out, dropped): counts toward the breaker
    resumes_by_itself: bool = True  # for PAUSE: a 421 or an unreachable server may come back; bad credentials won't


class TimedConnection(Connection):
    """A Flask-Mail connection whose socket operations time out."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        timeout = float(current_app.config["OUTBOX_SMTP_TIMEOUT"])
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=timeout)
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host

    def send(self, message: Message, envelope_from: str | tuple[str, str] | None = None) -> None:
        """Hand one message to the server. Unlike Flask-Mail's own, the envelope carries the addresses as they go
        over the wire (IDNA domains, and letters like ü before the @ left as they are, for SMTPUTF8)."""
        if message.has_bad_headers():
            raise BadHeaderError
        if self.host is not None:
            assert isinstance(envelope_from, str)
            self.host.sendmail(
                wire_address(envelope_from),
                list(message.recipients),
                message.as_bytes(),
                message.mail_options,
                message.rcpt_options,
            )
        email_dispatched.send(current_app._get_current_object(), message=message)

    def takes_smtputf8(self) -> bool:
        """Whether the server announces SMTPUTF8 in its answer to EHLO (a suppressed connection takes anything)."""
        if self.host is None:
            return True
        self.host.ehlo_or_helo_if_needed()
        return self.host.has_extn("smtputf8")


class Sender:
    """One worker's way to the mail server: a connection reused across messages."""

    def __init__(self) -> None:
        self.connection: TimedConnection | None = None
        self.last_used = 0.0
        self.smtputf8_checked = False

    def send(self, message: Message, envelope_from: str) -> Outcome:
        try:
            self._connect()
            assert self.connection is not None
            if "SMTPUTF8" in message.mail_options and not self.connection.takes_smtputf8():
                # Waiting will not help: the relay would have to change. Refused here, not at MAIL FROM, so that
                # the connection stays usable for the next message.
                return Outcome(FAILED, None, NO_SMTPUTF8)
            self.connection.send(message, envelope_from)
        except Exception as error:  # every failure is classified and logged; the worker goes on
            outcome = classify(error)
            if outcome.text in (UNEXPECTED, UNENCODABLE):  # the page points organisers to this log for the details
                log.exception("unexpected error while sending")
            self.close()
            return outcome
        finally:
            self.last_used = time.monotonic()
        return Outcome(SENT, 250, ACCEPTED)

    def _connect(self) -> None:
        if self.connection is not None and time.monotonic() - self.last_used > IDLE_CHECK_SECONDS:
            try:
                if self.connection.host is not None:
                    self.connection.host.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self.connection is None:
            connection = TimedConnection(current_app.extensions["mail"])
            connection.__enter__()
            self.connection = connection
            if current_app.config["MAIL_SMTPUTF8"] and not self.smtputf8_checked:
                self.smtputf8_checked = True
                if not connection.takes_smtputf8():
                    log.warning(
                        "MAIL_SMTPUTF8 is on but the mail server does not announce SMTPUTF8: messages to addresses "
                        "with letters such as ü before the @ will fail"
                    )

    def close(self) -> None:
        """Say goodbye to the server if it still listens; forget the connection either way."""
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


def classify(error: BaseException) -> Outcome:
    """What an SMTP error means for the message and for the queue (RFC 5321 reply codes)."""
    text = _text(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return _by_code(code, _text(reply), at_recipient=True)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Outcome(PAUSE, error.smtp_code, text, resumes_by_itself=False)
    if isinstance(error, smtplib.SMTPSenderRefused):
        if 500 <= error.smtp_code < 600:
            return Outcome(PAUSE, error.smtp_code, text, resumes_by_itself=False)
        return _by_code(error.smtp_code, text)
    if isinstance(error, smtplib.SMTPConnectError):
        # Refused at the greeting: the server does not want us now (421) or at all (554).
        return Outcome(PAUSE, error.smtp_code, text, resumes_by_itself=error.smtp_code < 500)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Outcome(PAUSE, None, NOT_OFFERED, resumes_by_itself=False)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, text)
    if isinstance(error, OSError):  # refused, timed out, dropped (SMTPServerDisconnected is one too)
        return Outcome(RETRY, None, _connection_failure(error), connection_failed=True)
    if isinstance(error, BadHeaderError):
        return Outcome(FAILED, None, BAD_HEADER)
    if isinstance(error, UnicodeError):  # the same message fails the same way on every attempt
        return Outcome(FAILED, None, UNENCODABLE)
    return Outcome(RETRY, None, UNEXPECTED)


def _connection_failure(error: OSError) -> str:
    # smtplib turns a timeout while reading an answer into SMTPServerDisconnected: the timeout is its context.
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, OSError):
        error = error.__context__
    if isinstance(error, ConnectionRefusedError):
        return CONNECTION_REFUSED
    if isinstance(error, socket.gaierror):
        return UNKNOWN_HOST
    if isinstance(error, TimeoutError):
        return TIMEOUT
    if isinstance(error, ssl.SSLError):
        return TLS
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError):
        return DISCONNECTED
    return CONNECTION


def _by_code(code: int, text: str, at_recipient: bool = False) -> Outcome:
    if code == 421:  # the server is closing the connection: it is the server, not this message
        return Outcome(PAUSE, code, text)
    if 500 <= code < 600:
        return Outcome(FAILED, code, text, recipient_refused=at_recipient)
    return Outcome(RETRY, code, text)


def _text(value: object) -> str:
    if isinstance(value, smtplib.SMTPResponseException):
        value = value.smtp_error
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())[:500]
