"""Where supporters came from: a constructed campaign with submissions from several sources over three days,
whose numbers per source and day are worked out by hand; the CSV export and the report page in Dutch and English."""

import csv
import io
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.campaigns.models import BOUNCED, Campaign, Submission, Supporter
from outreach.extensions import db
from outreach.reports import sources
from tests.builders import campaign, sent_letters

# (supporter, ref, filled in at (UTC), members written to, confirmed); Amsterdam is UTC+1 in February.
PLAN = (
    (1, "share:whatsapp", datetime(2026, 2, 24, 10, 0), ["yesilgoz", "de_vries"], True),
    (2, "share:whatsapp", datetime(2026, 2, 24, 23, 30), ["yesilgoz"], True),  # 00:30 on the 25th in Amsterdam
    (3, "share:whatsapp", datetime(2026, 2, 25, 9, 0), [], False),
    (4, "poster:centrum", datetime(2026, 2, 26, 8, 0), ["van_der_lee", "yesilgoz", "de_vries"], True),
    (5, "embed:partner.example", datetime(2026, 2, 26, 12, 0), ["percent"], True),
    (6, None, datetime(2026, 2, 25, 12, 0), ["yesilgoz"], True),
    (7, "nieuwsbrief", datetime(2026, 2, 26, 13, 0), [], False),
    (8, "embed:partner.example", datetime(2026, 2, 26, 14, 0), ["de_vries"], True),  # its letter bounced
)

# Worked out by hand from PLAN: (kind, ref, day) -> submissions, confirmed, letters sent, members reached.
EXPECTED = {
    ("share", "share:whatsapp", "2026-02-24"): (1, 1, 2, 2),
    ("share", "share:whatsapp", "2026-02-25"): (2, 1, 1, 1),
    ("share", "share:whatsapp", "total"): (3, 2, 3, 2),
    ("poster", "poster:centrum", "2026-02-26"): (1, 1, 3, 3),
    ("poster", "poster:centrum", "total"): (1, 1, 3, 3),
    ("embed", "embed:partner.example", "2026-02-26"): (2, 2, 1, 1),
    ("embed", "embed:partner.example", "total"): (2, 2, 1, 1),
    ("other", "nieuwsbrief", "2026-02-26"): (1, 0, 0, 0),
    ("other", "nieuwsbrief", "total"): (1, 0, 0, 0),
    ("direct", "", "2026-02-25"): (1, 1, 1, 1),
    ("direct", "", "total"): (1, 1, 1, 1),
}


def unconfirmed(row, supporter_no: int, ref: str, at: datetime) -> None:
    supporter = Supporter(email=f"supporter{supporter_no}@example.org", created_at=at, last_active_at=at)
    db.session.add(supporter)
    db.session.add(
        Submission(
            nonce=f"u-{supporter_no}",
            campaign=row,
            supporter=supporter,
            name=f"Supporter {supporter_no}",
            subject="Erkenning",
            body="{salutation}",
            consent_version="test",
            consent_text="test",
            consented_at=at,
            ref=ref,
            created_at=at,
        )
    )
    db.session.commit()


def build_spread(directory: dict[str, int]) -> int:
    """The campaign of PLAN (in an app context); returns its id."""
    row = campaign()
    for supporter_no, ref, at, members, confirmed in PLAN:
        if not confirmed:
            unconfirmed(row, supporter_no, ref, at)
            continue
        letters = sent_letters(row, [directory[name] for name in members], supporter_no=supporter_no, sent_at=at)
        letters[0].submission.ref, letters[0].submission.created_at = ref, at
        if supporter_no == 8:
            letters[0].status = BOUNCED
        db.session.commit()
    return row.id


@pytest.fixture
def spread(app: Flask, directory: dict[str, int]) -> int:
    with app.app_context():
        return build_spread(directory)


def test_numbers_per_source_and_day_match_those_worked_out_by_hand(app: Flask, spread: int) -> None:
    with app.test_request_context():
        found = sources.sources(spread)
        rows = {(kind, ref, day): tuple(numbers) for kind, ref, day, *numbers in sources.csv_rows(found)}
        assert rows == EXPECTED
        assert [kind for kind, _group in found.by_kind()] == ["share", "poster", "embed", "other", "direct"]
        # The chart for shared links spans the campaign's three days, the empty 26th included.
        assert [(day.isoformat(), n) for day, n in found.kind_days("share")] == [
            ("2026-02-24", 2),
            ("2026-02-25", 1),
            ("2026-02-26", 0),
        ]


def test_the_sources_csv_is_safe_to_open_and_has_every_row(app: Flask, organiser: FlaskClient, spread: int) -> None:
    with app.app_context():
        unconfirmed(db.session.get(Campaign, spread), 9, "=1+1", datetime(2026, 2, 26, 15))
    response = organiser.get(f"/admin/reports/{spread}/sources.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == list(sources.CSV_COLUMNS)
    body = {(kind, ref, day): tuple(map(int, numbers)) for kind, ref, day, *numbers in table[1:]}
    assert ("other", "'=1+1", "total") in body  # a ref typed as a formula stays text in a spreadsheet
    del body[("other", "'=1+1", "2026-02-26")], body[("other", "'=1+1", "total")]
    assert body == EXPECTED


@pytest.mark.parametrize(
    ("language", "heading", "kind", "direct"),
    [
        ("nl", "Waar ondersteuners vandaan kwamen", "Gedeelde links", "Direct (zonder bron)"),
        ("en", "Where supporters came from", "Shared links", "Direct (no source)"),
    ],
)
def test_the_report_page_shows_the_sources_in_the_organisers_language(
    organiser: FlaskClient, spread: int, language: str, heading: str, kind: str, direct: str
) -> None:
    organiser.get(f"/language/{language}")
    page = organiser.get(f"/admin/reports/{spread}").get_data(as_text=True)
    assert heading in page
    assert kind in page and direct in page
    section = page[page.index('id="sources"') :]
    whatsapp = section[section.index('data-source="share:whatsapp"') :]
    cells = [cell.split("</td>")[0] for cell in whatsapp.split('<td class="num">')[1:5]]
    assert cells == ["3", "2", "3", "2"]
    assert "partner.example" in section and "centrum" in section
    per_day = section[section.index('id="source-days"') : section.index("</details>")]
    assert per_day.count("<tr><td>") == 6  # one row per source and day with a submission
    assert section.count('<figure class="chart">') == 4  # letters per day for each kind of source with letters sent
