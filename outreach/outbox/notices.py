"""What the outbox tells a supporter by itself: that a letter of theirs could not be delivered, with a copy."""

from outreach.outbox.compose import Recipient, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE, OutboxMessage


def notify_supporter(letter: OutboxMessage) -> None:
    """Tell the supporter their letter could not be delivered, with a copy so they can send it another way, in the
    supporter's own language (the letter may be in another)."""
    language = letter.supporter_language or letter.language
    text = render_email(
        "undeliverable",
        language,
        supporter_name=letter.supporter_name or "",
        recipient_name=letter.recipient_name or "",
        recipient=letter.recipient_name or letter.recipient,
        letter_subject=letter.subject,
        letter_body=letter.body,
    )
    recipient = Recipient(letter.supporter_name, letter.supporter_email)
    enqueue(NOTICE, recipient, text.subject, text.body, language=language)
