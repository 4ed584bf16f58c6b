"""The register of personal data: every table, and in the tables that hold data about supporters (or organisers)
every column, with what it is. `tests/test_privacy.py` fails when a table or such a column appears that is not
listed here, so nobody adds personal data without deciding what happens to it."""

IDENTITY = "identity"  # name, e-mail address, city or 4-digit postcode
OPINION = "opinion"  # the letter and what it says: special-category data (AVG/GDPR art. 9)
CONSENT = "consent"  # the consent given, its text, version and time
ACCOUNT = "account"  # an organiser's account and what they did
MEMBER = "member"  # about a member of the House in their public role
NONE = None  # not personal (ids, states, times, counters)

# Columns holding an e-mail address that may be a supporter's: where an export or erasure starts looking (the
# outbox's recipient only on e-mails to supporters, see privacy.subject). Organisers' accounts are not included: a
# supporter's export never shows an account's password hash or audit trail.
ADDRESS_COLUMNS = {
    "supporter": ("email",),
    "outbox_message": ("supporter_email", "recipient"),
    "reply": ("from_address",),
    "undeliverable_address": ("email",),
    "letter_draft": ("email",),
}

PERSONAL: dict[str, dict[str, str | None]] = {
    "supporter": {"id": NONE, "email": IDENTITY, "newsletter": CONSENT, "created_at": NONE, "last_active_at": NONE},
    "submission": {
        **dict.fromkeys(
            ("id", "nonce", "campaign_id", "supporter_id", "mode", "status", "language", "page_language"), NONE
        ),
        **dict.fromkeys(("personalised", "fingerprints", "similar_to", "similarity", "review_reason", "ref"), NONE),
        **dict.fromkeys(("created_at", "reminded_at", "confirmed_at"), NONE),
        **dict.fromkeys(("confirmation_message_id", "reminder_message_id"), NONE),
        "name": IDENTITY,
        "place": IDENTITY,
        "subject": OPINION,
        "body": OPINION,
        "consent_version": CONSENT,
        "consent_text": CONSENT,
        "consented_at": CONSENT,
        "newsletter": CONSENT,
    },
    "letter": {
        **dict.fromkeys(("id", "submission_id", "campaign_id", "supporter_id", "target", "member_id"), NONE),
        **dict.fromkeys(("extra_target_id", "committee_id", "personalised", "status", "hold_reason"), NONE),
        **dict.fromkeys(("outbox_message_id", "created_at", "queued_at", "opened_at"), NONE),
        "recipient_name": MEMBER,
        "salutation": MEMBER,
        "subject": OPINION,
        "body": OPINION,
    },
    # A letter not sent yet, kept at most a day while its writer changes recipients or language.
    "letter_draft": {
        **dict.fromkeys(("id", "key", "campaign_id", "language", "updated_at"), NONE),
        "name": IDENTITY,
        "email": IDENTITY,
        "place": IDENTITY,
        "subject": OPINION,
        "body": OPINION,
    },
    # That a supporter who asked for the campaign's news was told of a debate (and of which version of it).
    "agenda_alert": dict.fromkeys(("id", "submission_id", "activity_tk_id", "change", "created_at"), NONE),
    "submission_fingerprint": {"id": NONE, "submission_id": NONE, "campaign_id": NONE, "value": OPINION},
    "outbox_message": {
        **dict.fromkeys(("id", "kind", "priority", "status", "hold_reason", "message_id", "bounce_token"), NONE),
        **dict.fromkeys(("language", "envelope_from", "campaign_id", "member_id", "daily_cap", "created_at"), NONE),
        **dict.fromkeys(("next_attempt_at", "attempts", "first_attempt_at", "last_attempt_at", "sent_at"), NONE),
        **dict.fromkeys(("lease_until", "worker_id", "last_code", "supporter_language", "digest_id"), NONE),
        "sender": IDENTITY,  # "<supporter> via <campaign>" on letters
        "recipient": IDENTITY,  # the supporter's address on confirmations, notices and surveys
        "recipient_name": IDENTITY,
        "reply_to": IDENTITY,
        "subject": OPINION,
        "body": OPINION,
        "supporter_email": IDENTITY,
        "supporter_name": IDENTITY,
        "last_text": IDENTITY,  # a mail server's answer may quote an address
    },
    "delivery_attempt": {
        **dict.fromkeys(("id", "message_id", "attempt_no", "worker_id", "started_at", "finished_at"), NONE),
        **dict.fromkeys(("outcome", "code"), NONE),
        "text": IDENTITY,
    },
    "reply": {
        **dict.fromkeys(("id", "dedupe_key", "source", "kind", "matched_by", "handled", "letter_id"), NONE),
        **dict.fromkeys(("campaign_id", "member_id", "outbox_message_id", "status_code", "channel"), NONE),
        **dict.fromkeys(("received_at", "created_at", "stance", "tagged_at"), NONE),
        "from_address": IDENTITY,
        "from_name": IDENTITY,
        "subject": OPINION,
        "text": OPINION,
        "raw": OPINION,
        "error": NONE,
        "note": OPINION,
        "tagged_by": ACCOUNT,
    },
    "survey": dict.fromkeys(
        ("id", "submission_id", "sent_at", "reminded_at", "outbox_message_id", "reminder_message_id"), NONE
    ),
    "survey_answer": {
        **dict.fromkeys(("id", "letter_id", "answer", "answered_at", "counts"), NONE),
        "text": OPINION,
    },
    "privacy_request": {
        **dict.fromkeys(("id", "kind", "channel", "requested_at", "opened_at", "handled_at"), NONE),
        "email": IDENTITY,
        "email_hash": IDENTITY,
        "handled_by": ACCOUNT,
        "note": IDENTITY,
    },
    "account": {
        **dict.fromkeys(("id", "password_hash", "role", "active", "created_at", "last_login_at"), NONE),
        **dict.fromkeys(
            ("session_token", "totp_enabled_at", "totp_last_step", "reset_token_hash", "reset_sent_at"), NONE
        ),
        "email": ACCOUNT,
        "totp_secret": ACCOUNT,  # the organiser's second factor: whoever holds it can make their codes
    },
    "recovery_code": dict.fromkeys(("id", "account_id", "code_hash", "created_at", "used_at"), NONE),
    "audit_entry": {
        **dict.fromkeys(("id", "at", "account_id", "action", "record_type", "record_id", "detail"), NONE),
        "account_email": ACCOUNT,
    },
}

# Tables without data about supporters or organisers, and why.
OTHER: dict[str, str] = {
    "campaign": "the campaigns organisers write",
    "campaign_image": "the picture organisers give a campaign",
    "organisation": "the public details of the organisation that runs the site",
    "party": "public data about the House",
    # The House's business as the Kamer publishes it (members appear in their public role), and organisers' choices.
    **dict.fromkeys(
        (
            "agenda_activity",
            "agenda_activity_actor",
            "agenda_item",
            "agenda_case",
            "agenda_case_actor",
            "agenda_decision",
            "agenda_vote",
            "agenda_dossier",
            "agenda_document",
            "agenda_link",
        ),
        "public data about the House's business",
    ),
    "agenda_watch": "what a campaign watches on the House's agenda",
    "agenda_match": "which of the House's business a campaign follows",
    "agenda_action": "a campaign's call to write before a debate",
    "agenda_ledger_setting": "whether a campaign shows what the House did",
    "committee": "public data about the House",
    "member": "public data about members of the House in their public role",
    "committee_seat": "public data about the House",
    "committee_override": "organisers' corrections of public data",
    "member_override": "organisers' corrections of public data about members",
    "extra_target": "addresses of offices (committee clerks, the petitions committee)",
    "undeliverable_address": "addresses of members' offices that refused mail",
    "directory_change": "changes in public data about the House",
    "sync_run": "directory syncs",
    "sync_cursor": "directory syncs",
    "tk_entity": "the mirror of the House's open data",
    "outbox_control": "the state of the outbox",
    "recipient_day": "letters per member's office per day (the daily cap)",
}
