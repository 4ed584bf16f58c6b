"""The e-mails a campaign sends to the people who wrote in it: each from its template, in their own language."""

from outreach.campaigns.models import Submission
from outreach.campaigns.texts import title
from outreach.outbox.compose import Recipient, Supporter, enqueue
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import OutboxMessage


def mail_supporter(
    submission: Submission, kind: str, template: str, supporter: Supporter | None = None, **values: object
) -> OutboxMessage:
    """Queue the e-mail `template` (templates/emails/) to whoever wrote a submission, in the language of their pages,
    greeting them by name and naming the campaign (the caller commits)."""
    language = submission.page_language
    text = render_email(template, language, name=submission.name, title=title(submission.campaign, language), **values)
    return enqueue(
        kind,
        Recipient(submission.name, submission.supporter.email),
        text.subject,
        text.body,
        language=language,
        campaign_id=submission.campaign_id,
        supporter=supporter,
    )
