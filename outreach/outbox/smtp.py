"""Talking to the mail server: Flask-Mail connections with a timeout, and what each answer means for a message.

Flask-Mail opens `smtplib.SMTP(host, port)` without a timeout, so a server that accepts the connection and never
answers would hang the worker for ever; `TimedConnection` passes one. The connection is kept open between
messages (checked with NOOP after a pause) and dropped after any error.
"""

import logging
import smtplib
import time
from dataclasses import dataclass

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

log = logging.getLogger(__name__)

# What happens to a message after an attempt.
SENT = "sent"
RETRY = "retry"  # try again later (4xx, timeout, lost connection)
FAILED = "failed"  # the server refused this message for good (5xx for the recipient or the content)
PAUSE = "pause"  # the server refuses us, not this message: pause the whole queue, don't count the attempt

IDLE_CHECK_SECONDS = 10


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


class Sender:
    """One worker's way to the mail server: a connection reused across messages."""

    def __init__(self) -> None:
        self.connection: TimedConnection | None = None
        self.last_used = 0.0

    def send(self, message: Message, envelope_from: str) -> Outcome:
        try:
            self._connect()
            assert self.connection is not None
            self.connection.send(message, envelope_from)
        except Exception as error:  # every failure is classified and logged; the worker goes on
            if not isinstance(error, smtplib.SMTPException | OSError | BadHeaderError):
                log.exception("unexpected error while sending")
            self.close()
            return classify(error)
        finally:
            self.last_used = time.monotonic()
        return Outcome(SENT, 250, "accepted")

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
        return Outcome(PAUSE, None, f"mail server configuration: {text}", resumes_by_itself=False)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, text)
    if isinstance(error, OSError):  # refused, timed out, dropped (SMTPServerDisconnected is one too)
        return Outcome(RETRY, None, f"connection: {text or type(error).__name__}", connection_failed=True)
    if isinstance(error, BadHeaderError):
        return Outcome(FAILED, None, "the message has an invalid header")
    return Outcome(RETRY, None, f"{type(error).__name__}: {text}")


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
