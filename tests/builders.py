"""Small builders for directory rows, and one known directory most tests use."""

from outreach.accounts.models import Account
from outreach.accounts.passwords import hash_password
from outreach.directory.models import (
    Committee,
    CommitteeOverride,
    CommitteeSeat,
    Member,
    MemberOverride,
    Party,
)
from outreach.extensions import db

PASSWORD = "lange-zin met 4 woorden"


def account(email: str, role: str = "organiser", password: str = PASSWORD, active: bool = True) -> Account:
    row = Account(email=email, role=role, password_hash=hash_password(password), active=active)
    db.session.add(row)
    db.session.commit()
    return row


def party(abbreviation: str, name_nl: str, name_en: str | None = None) -> Party:
    row = Party(abbreviation=abbreviation, name_nl=name_nl, name_en=name_en)
    db.session.add(row)
    return row


def committee(abbreviation: str, name_nl: str, name_en: str | None = None, email: str | None = None) -> Committee:
    row = Committee(abbreviation=abbreviation, name_nl=name_nl, name_en=name_en)
    if email:
        row.override = CommitteeOverride(email=email)
    db.session.add(row)
    return row


def member(
    first_name: str,
    surname: str,
    of: Party | None,
    prefix: str | None = None,
    gender: str | None = "man",
    email: str | None = "x@tweedekamer.example",
    current: bool = True,
    **fields: object,
) -> Member:
    row = Member(
        first_name=first_name,
        prefix=prefix,
        surname=surname,
        gender=gender,
        party=of,
        email=email,
        is_current=current,
        **fields,
    )
    db.session.add(row)
    return row


def seat(who: Member, on: Committee, role: str = "Lid", substitute: bool = False) -> CommitteeSeat:
    row = CommitteeSeat(member=who, committee=on, role=role, substitute=substitute)
    db.session.add(row)
    return row


def build_directory() -> dict[str, int]:
    """Six current members of three parties on two committees, and one former member."""
    vvd = party("VVD", "Volkspartij voor Vrijheid en Democratie", "People's Party for Freedom and Democracy")
    d66 = party("D66", "Democraten 66", "Democrats 66")
    cda = party("CDA", "Christen-Democratisch Appèl", "Christian Democratic Appeal")
    buza = committee(
        "BuZa",
        "vaste commissie voor Buitenlandse Zaken",
        "Standing Committee on Foreign Affairs",
        email="cie.buza@tweedekamer.example",
    )
    defence = committee("DEF", "vaste commissie voor Defensie", "Standing Committee on Defence")

    yesilgoz = member("Dilan", "Yeşilgöz", vvd, gender="vrouw", email="d.yesilgoz@tweedekamer.example")
    van_der_lee = member("Tom", "Lee", d66, prefix="van der", email="t.vdlee@tweedekamer.example")
    de_vries = member("Anna", "Vries", cda, prefix="de", gender="vrouw", email="a.devries@tweedekamer.example")
    hart = member("Pieter", "Hart", vvd, prefix="'t", email=None)
    percent = member("Eva", "Procent_100%", d66, gender="vrouw", email="e.procent@tweedekamer.example")
    opted_out = member("Jan", "Jansen", cda, email="j.jansen@tweedekamer.example")
    opted_out.override = MemberOverride(do_not_write=True, note="Asked by phone")
    former = member("Oud", "Kamerlid", vvd, current=False)

    seat(yesilgoz, buza, "Voorzitter")
    seat(van_der_lee, buza, "Ondervoorzitter")
    seat(de_vries, buza, "Lid")
    seat(hart, buza, "Plv. lid", substitute=True)
    seat(de_vries, defence, "Voorzitter")
    seat(yesilgoz, defence, "Plv. lid", substitute=True)
    seat(former, defence, "Lid")
    db.session.commit()
    return {
        "yesilgoz": yesilgoz.id,
        "van_der_lee": van_der_lee.id,
        "de_vries": de_vries.id,
        "hart": hart.id,
        "percent": percent.id,
        "opted_out": opted_out.id,
        "former": former.id,
        "buza": buza.id,
        "defence": defence.id,
    }


def letter(to: Member, supporter_no: int = 1, campaign_id: int = 1, daily_cap: int | None = None, **fields: object):
    """A supporter's letter to `to`, queued in the outbox (committed)."""
    from outreach.outbox.compose import Campaign, Recipient, Supporter, enqueue_letter

    message = enqueue_letter(
        Recipient(to.name, to.effective_email or "nobody@tweedekamer.example", to.id),
        Supporter(f"Supporter {supporter_no}", f"supporter{supporter_no}@example.org", "Utrecht"),
        Campaign(campaign_id, "Khojaly herdenken", "http://127.0.0.1:5000/campaigns/khojaly", daily_cap=daily_cap),
        "Erkenning van Khojaly",
        f"{to.salutation}\n\nIk vraag uw aandacht voor Khojaly.\n\nMet vriendelijke groet,\nSupporter {supporter_no}",
        **fields,
    )
    db.session.commit()
    return message


def notice(address: str, subject: str = "Bevestig uw brief") -> object:
    """A message to a supporter (confirmation kind), queued in the outbox (committed)."""
    from outreach.outbox.compose import Recipient, enqueue
    from outreach.outbox.models import CONFIRMATION

    message = enqueue(CONFIRMATION, Recipient(None, address), subject, "Klik op de link om te bevestigen.")
    db.session.commit()
    return message


LETTER_NL = (
    "{salutation}\n\nIk vraag uw aandacht voor het bloedbad van Khojaly op 26 februari 1992. Ik vraag de Kamer om "
    "een onafhankelijk onderzoek en om 26 februari te erkennen als herdenkingsdag.\n\nMet vriendelijke groet,\n\n"
    "{supporter_name}\n{supporter_city}"
)
LETTER_EN = (
    "{salutation}\n\nI ask for your attention to the Khojaly massacre of 26 February 1992. I ask the House for an "
    "independent inquiry and to recognise 26 February as a day of remembrance.\n\nYours sincerely,\n\n"
    "{supporter_name}\n{supporter_city}"
)


def campaign(slug: str = "khojaly", **fields: object):
    """A live campaign in Dutch and English that may write to every member (committed)."""
    from outreach.campaigns.models import Campaign
    from outreach.database import utcnow

    values = {
        "status": "live",
        "title_nl": "Erkenning van Khojaly",
        "title_en": "Recognition of Khojaly",
        "intro_nl": "Schrijf de Kamer.",
        "intro_en": "Write to the House.",
        "subject_nl": "Erkenning van het bloedbad van Khojaly",
        "subject_en": "Recognition of the Khojaly massacre",
        "body_nl": LETTER_NL,
        "body_en": LETTER_EN,
        "all_members": True,
        "parties": [],
        "committees": [],
        "extra_targets": [],
        "max_recipients": 10,
        "daily_cap": 200,
        "created_at": utcnow(),
        "updated_at": utcnow(),
        **fields,
    }
    row = Campaign(slug=slug, **values)
    db.session.add(row)
    db.session.commit()
    return row


def sent_letters(
    campaign_row, member_ids: list[int], supporter_no: int = 1, sent_at=None, language: str = "nl"
) -> list:
    """A confirmed submission by supporter `supporter_no` to these members, queued through the campaign's own path
    and marked sent by the outbox at `sent_at` (committed). Returns its letters."""
    from outreach.campaigns.confirmation import queue
    from outreach.campaigns.models import CONFIRMED, Letter, Submission, Supporter
    from outreach.database import utcnow
    from outreach.directory.models import Member
    from outreach.outbox.models import OutboxMessage

    now = utcnow()
    sent_at = sent_at or now
    email = f"supporter{supporter_no}@example.org"
    supporter = db.session.scalar(db.select(Supporter).where(Supporter.email == email))
    if supporter is None:
        supporter = Supporter(email=email, created_at=now, last_active_at=now)
        db.session.add(supporter)
        db.session.flush()
    submission = Submission(
        nonce=f"n-{supporter_no}-{campaign_row.id}-{member_ids[0]}-{sent_at.timestamp()}",
        campaign=campaign_row,
        supporter=supporter,
        status=CONFIRMED,
        name=f"Supporter {supporter_no}",
        place="Utrecht",
        language=language,
        page_language=language,
        subject="Erkenning",
        body="{salutation}\n\nIk vraag uw aandacht.",
        consent_version="test",
        consent_text="test",
        consented_at=now,
        created_at=now,
        confirmed_at=now,
    )
    letters = []
    for member_id in member_ids:
        member = db.session.get(Member, member_id)
        letter = Letter(
            submission=submission,
            campaign_id=campaign_row.id,
            supporter_id=supporter.id,
            target=f"member:{member_id}",
            member_id=member_id,
            recipient_name=member.name,
            salutation=member.salutation,
            subject="Erkenning",
            body=f"{member.salutation}\n\nIk vraag uw aandacht.",
            created_at=now,
        )
        letters.append(letter)
    db.session.add(submission)
    db.session.flush()
    for letter in letters:
        queue(letter, now)
    db.session.flush()
    for letter in letters:
        message = db.session.get(OutboxMessage, letter.outbox_message_id)
        message.status, message.sent_at, message.attempts = "sent", sent_at, 1
    db.session.commit()
    return letters
