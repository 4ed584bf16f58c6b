"""Responsiveness statistics, checked against numbers worked out by hand for a constructed campaign of 520
letters; the report pages and CSV exports that show them."""

import csv
import io
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.campaigns.models import Letter
from outreach.database import utcnow
from outreach.extensions import db
from outreach.outbox.models import OutboxMessage
from outreach.replies.models import STANCES, Reply, SurveyAnswer
from outreach.reports import stats, summary
from tests.builders import campaign, sent_letters

MEMBERS = ("yesilgoz", "van_der_lee", "de_vries", "percent")
PARTY = {"yesilgoz": "VVD", "van_der_lee": "D66", "de_vries": "CDA", "percent": "D66"}
COMMITTEES = {"yesilgoz": ["BuZa"], "van_der_lee": ["BuZa"], "de_vries": ["BuZa", "DEF"], "percent": []}  # full seats
SUPPORTERS = 130


def plan(k: int, m: int) -> int:
    """What happens to supporter k's letter to member m (0..9), see `dataset`."""
    return (k * 7 + m) % 10


def sent_days_ago(k: int) -> int:
    return k % 40


def answer_days(k: int) -> int:
    return k % 5 + 1


def stance(k: int) -> str | None:
    return None if k % 5 == 0 else STANCES[k % 4]


@pytest.fixture
def dataset(app: Flask, directory: dict[str, int]) -> tuple[int, dict[int, tuple[int, int]]]:
    """130 supporters each write to the same four members (520 letters), sent 0-39 days ago. Per letter:
    0-2 an answer by mail after 1-5 days (a stance, or none); 3 an answer after 30 days (too late);
    4 the survey says "replied"; 5 "not expected"; 6 "only an acknowledgement"; 7 bounced;
    8 only an automatic reply; 9 nothing."""
    now = utcnow()
    with app.app_context():
        row = campaign()
        where: dict[int, tuple[int, int]] = {}
        for k in range(SUPPORTERS):
            sent_at = now - timedelta(days=sent_days_ago(k), hours=1)
            letters = sent_letters(row, [directory[name] for name in MEMBERS], supporter_no=k, sent_at=sent_at)
            for m, letter in enumerate(letters):
                where[letter.id] = (k, m)
                _outcome(letter, plan(k, m), k, sent_at)
        db.session.commit()
        return row.id, where


def _outcome(letter: Letter, what: int, k: int, sent_at) -> None:
    def reply(kind: str, days: float, tagged: str | None = None) -> None:
        db.session.add(
            Reply(
                dedupe_key=f"test:{letter.id}:{kind}",
                source="imap",
                kind=kind,
                matched_by="token",
                letter_id=letter.id,
                campaign_id=letter.campaign_id,
                member_id=letter.member_id,
                received_at=sent_at + timedelta(days=days),
                created_at=sent_at,
                stance=tagged,
            )
        )

    def answered_survey(answer: str) -> None:
        db.session.add(SurveyAnswer(letter_id=letter.id, answer=answer, answered_at=sent_at, counts=True))

    if what <= 2:
        reply("answer", answer_days(k), stance(k))
    elif what == 3:
        reply("answer", 30, stance(k))
    elif what == 4:
        answered_survey("replied")
    elif what == 5:
        answered_survey("not_expected")
    elif what == 6:
        answered_survey("ack_only")
    elif what == 7:
        letter.status = "bounced"
    elif what == 8:
        reply("auto_reply", 0.1)


def by_hand(where: dict[int, tuple[int, int]]) -> dict[str, dict]:
    """The expected numbers, worked out from the plan alone (not from the code under test)."""
    groups: dict[str, dict] = defaultdict(
        lambda: {"sent": 0, "answered": 0, "counted": 0, "days": [], "stances": Counter()}
    )
    for k, m in where.values():
        name, what = MEMBERS[m], plan(k, m)
        if what == 7:  # bounced: not delivered, not counted anywhere
            continue
        answered = what <= 2 or what == 4  # 3 came after four weeks
        window_closed = sent_days_ago(k) >= 28
        counted = what != 5 and (answered or window_closed)
        days = answer_days(k) if what <= 2 else 30 if what == 3 else None
        for key in (f"member:{name}", f"party:{PARTY[name]}", *(f"committee:{c}" for c in COMMITTEES[name]), "all"):
            group = groups[key]
            group["sent"] += 1
            group["answered"] += answered
            group["counted"] += counted
            if days is not None:
                group["days"].append(days)
            if what <= 3:
                group["stances"][stance(k) or "untagged"] += 1
    return groups


def check(numbers: stats.Responsiveness, expected: dict) -> None:
    assert numbers.sent == expected["sent"]
    assert numbers.answered == expected["answered"]
    assert numbers.counted == expected["counted"]
    assert numbers.rate == pytest.approx(expected["answered"] / expected["counted"])
    assert numbers.median_days == pytest.approx(statistics.median(expected["days"]), abs=0.01)
    assert dict(numbers.stances) == dict(expected["stances"])


def test_wilson_interval_matches_published_values() -> None:
    assert stats.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert stats.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert stats.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)


def test_statistics_match_the_numbers_worked_out_by_hand(
    app: Flask, directory: dict[str, int], dataset: tuple[int, dict]
) -> None:
    campaign_id, where = dataset
    assert len(where) >= 500
    expected = by_hand(where)
    with app.app_context():
        report = stats.report(campaign_id, utcnow())
        check(report.overall, expected["all"])
        for name in MEMBERS:
            check(report.members[directory[name]], expected[f"member:{name}"])
        assert set(report.parties) == {"VVD", "D66", "CDA"}
        for party in ("VVD", "D66", "CDA"):
            check(report.parties[party], expected[f"party:{party}"])
        assert set(report.committees) == {"BuZa", "DEF"}  # substitutes' letters are not the committee's
        for committee in ("BuZa", "DEF"):
            check(report.committees[committee], expected[f"committee:{committee}"])
        states = stats.per_state(report.facts)
        bounced = sum(plan(k, m) == 7 for k, m in where.values())
        assert states["bounced"] == bounced
        # Letters per day are letters sent: a bounced letter did not reach its member.
        assert sum(count for _day, count in stats.per_period(report.facts)) == len(where) - bounced


def test_the_per_member_csv_and_the_report_page_show_the_same_numbers(
    app: Flask, organiser: FlaskClient, directory: dict[str, int], dataset: tuple[int, dict]
) -> None:
    campaign_id, where = dataset
    expected = by_hand(where)
    response = organiser.get(f"/admin/reports/{campaign_id}/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}
    assert set(rows) == {"Dilan Yeşilgöz", "Tom van der Lee", "Anna de Vries", "Eva Procent_100%"}
    vdl = expected["member:van_der_lee"]
    row = rows["Tom van der Lee"]
    assert (int(row["letters_sent"]), int(row["answered"]), int(row["counted"])) == (
        vdl["sent"],
        vdl["answered"],
        vdl["counted"],
    )
    assert float(row["reply_rate_percent"]) == pytest.approx(100 * vdl["answered"] / vdl["counted"], abs=0.05)

    page = organiser.get(f"/admin/reports/{campaign_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    d66 = expected["party:D66"]
    assert f"{round(100 * d66['answered'] / d66['counted'])} %" in html.split('data-party="D66"')[1].split("</tr>")[0]
    assert "<svg" in html  # the charts are drawn on the page


def test_rates_are_not_shown_for_fewer_than_ten_counted_letters(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        row = campaign()
        for k in range(9):
            sent_letters(row, [directory["yesilgoz"]], supporter_no=k, sent_at=utcnow() - timedelta(days=40))
        campaign_id = row.id
        report = stats.report(campaign_id, utcnow())
        assert report.members[directory["yesilgoz"]].counted == 9 and not report.members[directory["yesilgoz"]].enough
    rows = list(
        csv.DictReader(
            io.StringIO(
                organiser.get(f"/admin/reports/{campaign_id}/members.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert rows[0]["reply_rate_percent"] == "" and rows[0]["letters_sent"] == "9"


def test_exports_and_printable_reports_name_no_supporter(
    app: Flask, organiser: FlaskClient, directory: dict[str, int]
) -> None:
    with app.app_context():
        row = campaign()
        [letter] = sent_letters(row, [directory["de_vries"]], supporter_no=77)
        campaign_id = row.id
        message = db.session.get(OutboxMessage, letter.outbox_message_id)
        assert message.supporter_email == "supporter77@example.org"
    for path in (
        f"/admin/reports/{campaign_id}/letters.csv",
        f"/admin/reports/{campaign_id}/replies.csv",
        f"/admin/reports/{campaign_id}/members.csv",
        f"/admin/reports/{campaign_id}/handover",
        f"/admin/reports/{campaign_id}/handover.csv",
        f"/admin/reports/{campaign_id}/members/{directory['de_vries']}",
    ):
        response = organiser.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "supporter77" not in body and "Supporter 77" not in body, path
    office = organiser.get(f"/admin/reports/{campaign_id}/members/{directory['de_vries']}").get_data(as_text=True)
    assert "Geachte mevrouw De Vries," in office  # the campaign letter as her office received it
    handover = organiser.get(f"/admin/reports/{campaign_id}/handover.csv").get_data(as_text=True)
    assert "Anna de Vries,CDA,1" in handover
    with app.app_context():
        assert db.session.scalars(select(Letter)).one().member_id == directory["de_vries"]


@pytest.fixture
def mixed_campaign(app: Flask) -> dict[str, int]:
    """Eleven members written to; letters reached nine of them: supporter 1 wrote to members 1-9 and supporter 2
    to members 1-3 (all sent); supporter 3's letters to members 10 and 11 failed or still wait; supporter 4's letter
    to member 1 bounced; and the supporters' confirmation mails went out too."""
    from outreach.outbox.compose import Recipient, enqueue
    from outreach.outbox.models import CONFIRMATION
    from tests.builders import member, party

    with app.app_context():
        group = party("GL", "GroenLinks-PvdA")
        members = [member(f"Lid{n}", f"Achternaam{n}", group, email=f"lid{n}@tweedekamer.example") for n in range(11)]
        db.session.commit()
        ids = [m.id for m in members]
        row = campaign()
        sent_letters(row, ids[:9], supporter_no=1)
        sent_letters(row, ids[:3], supporter_no=2)
        failed, waiting = sent_letters(row, ids[9:], supporter_no=3)
        for letter, status in ((failed, "failed"), (waiting, "queued")):
            message = db.session.get(OutboxMessage, letter.outbox_message_id)
            message.status, message.sent_at = status, None
        [bounced] = sent_letters(row, ids[:1], supporter_no=4)
        bounced.status = "bounced"
        for k in range(1, 5):
            confirmation = enqueue(
                CONFIRMATION, Recipient(None, f"supporter{k}@example.org"), "Bevestig", "Klik.", campaign_id=row.id
            )
            confirmation.status, confirmation.sent_at = "sent", utcnow()
        db.session.commit()
        return {"campaign": row.id, "letters": 12, "members": 9, "supporters": 2}


def test_every_page_and_export_counts_the_same_letters_sent_and_members_reached(
    app: Flask, client: FlaskClient, organiser: FlaskClient, mixed_campaign: dict[str, int]
) -> None:
    import re

    campaign_id, letters, members = mixed_campaign["campaign"], mixed_campaign["letters"], mixed_campaign["members"]
    counter = re.compile(r'<div class="counter">\s*<p><strong>(\d+)</strong>[^<]*<strong>(\d+)</strong>')
    public = client.get("/campaigns/khojaly").get_data(as_text=True)
    assert counter.search(public).groups() == (str(letters), str(members))
    overview = organiser.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert counter.search(overview).groups() == (str(letters), str(members))
    assert re.search(rf"<td>(sent|verstuurd)</td><td class=\"num\">{letters}</td>", overview)
    listing = organiser.get("/admin/campaigns/").get_data(as_text=True)
    assert f'<td class="num">{letters}</td>\n          <td class="num">{members}</td>' in listing

    report = organiser.get(f"/admin/reports/{campaign_id}").get_data(as_text=True)
    assert f'<td class="num">{letters}</td>' in report.split('id="overall"')[1].split("</table>")[0]
    outbox = organiser.get("/admin/outbox/").get_data(as_text=True)
    row = outbox.split('<th scope="row">Erkenning van Khojaly</th>')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [1, 0, 0, letters, 1]

    rows = list(
        csv.DictReader(
            io.StringIO(
                organiser.get(f"/admin/reports/{campaign_id}/letters.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert len(rows) == letters + 3  # every letter, confirmation mails none
    assert Counter(r["letter_status"] for r in rows) == {"sent": letters, "failed": 1, "queued": 1, "bounced": 1}
    assert len({r["member"] for r in rows if r["letter_status"] == "sent"}) == members


def test_the_handover_counts_members_reached_and_prints_no_placeholder(
    app: Flask, organiser: FlaskClient, mixed_campaign: dict[str, int]
) -> None:
    campaign_id = mixed_campaign["campaign"]
    organiser.set_cookie("lang", "en")
    html = organiser.get(f"/admin/reports/{campaign_id}/handover").get_data(as_text=True)
    assert "2 people wrote 12 letters to 9 members of the House." in html.split('id="handover-totals">')[1]
    assert html.count("<tr><td>Lid") == 9
    letter = html.split('<pre class="mail-text">')[1].split("</pre>")[0]
    assert "{" not in letter and "}" not in letter
    assert letter.startswith("Geachte leden van de Tweede Kamer,")
    assert "Ik vraag uw aandacht voor het bloedbad van Khojaly" in letter
    handover = organiser.get(f"/admin/reports/{campaign_id}/handover.csv").get_data(as_text=True)
    assert len(handover.strip().splitlines()) == 1 + 9


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "Asia/Kolkata"])  # an offset of whole hours, and one not
def test_the_report_counted_in_groups_has_the_numbers_of_every_letter_read_one_by_one(
    app: Flask, directory: dict[str, int], dataset: tuple[int, dict], zone: str
) -> None:
    campaign_id, where = dataset
    expected = by_hand(where)
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    with app.app_context():
        now = utcnow()
        fast, every = summary.summary(campaign_id, now), stats.report(campaign_id, now)
        check(fast.overall, expected["all"])
        for name in MEMBERS:
            check(fast.members[directory[name]], expected[f"member:{name}"])
        for group in ("overall", "members", "parties", "committees"):
            mine, theirs = getattr(fast, group), getattr(every, group)
            if group == "overall":
                mine, theirs = {None: mine}, {None: theirs}
            assert set(mine) == set(theirs)
            for key, numbers in mine.items():
                other = theirs[key]
                assert (numbers.sent, numbers.answered, numbers.counted, numbers.pending) == (
                    other.sent,
                    other.answered,
                    other.counted,
                    other.pending,
                )
                assert sorted(numbers.days) == sorted(other.days) and numbers.stances == other.stances
        assert fast.states == stats.per_state(every.facts)
        assert fast.days == stats.per_period(every.facts)
        assert [member.id for member, _ in fast.named_members()] == [member.id for member, _ in every.named_members()]
