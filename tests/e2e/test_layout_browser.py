"""Every page on a phone and on a desktop: nothing scrolls sideways at 360, 390 and 1280 px, in every interface
language, for visitors and for an admin; axe-core finds nothing serious on the public pages; the call to action is on
the first screen of a phone."""

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from outreach.campaigns.models import SEND
from outreach.config import DEFAULTS
from outreach.database import utcnow
from outreach.directory.delivery import opt_out_token
from outreach.directory.demo import load_demo
from outreach.directory.models import Committee, ExtraTarget, Member, SyncRun
from outreach.extensions import db
from outreach.replies import survey
from outreach.replies.ingest import ingest
from tests.builders import PASSWORD, account, campaign, sent_letters
from tests.conftest import make_app
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

WIDTHS = (360, 390, 1280)
REPLIES = Path(__file__).resolve().parent.parent / "fixtures" / "replies"

# GET endpoints that are not pages a person reads: downloads, redirects, machine answers.
NOT_PAGES = {
    "static": "files",
    "health.healthz": "a machine's answer",
    "site.set_language": "a redirect",
    "campaigns.open_in_mail_program": "a redirect to a mail program",
    "campaigns.meter": "JSON for the letter page",
    "directory_admin.export_csv": "a download",
    "privacy.download": "a download",
    "replies_admin.raw": "the raw message as a download",
    "reports.handover_csv": "a download",
    "agenda_admin.ledger_csv": "a download",
    "reports.letters_csv": "a download",
    "reports.members_csv": "a download",
    "reports.replies_csv": "a download",
    "reports.sources_csv": "a download",
    "outbox_admin.dev_mail_message": "a stored development e-mail, shown as the dev-mail list shows it",
    "organisation.favicon": "an image",
    "organisation.logo": "an image",
    "organisation.campaign_image": "an image",
    "campaigns_admin.poster_qr": "a download (the QR code as SVG or PNG)",
}


def fill() -> dict:
    """The demo directory, a live campaign with an extra address and a committee address, an admin, sent letters,
    a reply and a sync run: enough for every page to have something to show."""
    load_demo()
    row = campaign(max_recipients=10)
    petitions = ExtraTarget(name="Commissie voor de Verzoekschriften", email="petities@tweedekamer.example")
    db.session.add(petitions)
    db.session.flush()
    row.extra_targets = [petitions.id]
    account("admin@example.org", "admin")
    members = list(db.session.scalars(db.select(Member).where(Member.email.is_not(None)).order_by(Member.id)))
    letters = sent_letters(row, [members[0].id, members[1].id], sent_at=utcnow() - timedelta(days=15))
    reply, _ = ingest((REPLIES / "ack_nl.eml").read_bytes(), "file")
    now = utcnow()
    run = SyncRun(started_at=now, finished_at=now, status="succeeded", url="https://gegevensmagazijn.example/")
    db.session.add(run)
    db.session.commit()
    committee = db.session.scalar(db.select(Committee).order_by(Committee.id))
    submission = letters[0].submission
    return {
        "campaign": row.id,
        "member": members[0].id,
        "committee": committee.id,
        "party": members[0].party.abbreviation,
        "target": petitions.id,
        "letter": letters[0].id,
        "submission": submission.id,
        "reply": reply.id,
        "run": run.id,
        "message": letters[0].outbox_message_id,
        "to": [f"member:{members[0].id}", f"member:{members[1].id}"],
        "opt_out": opt_out_token(members[0].id),
        "survey": survey.token(letters[0].id),
        "mode": SEND,
    }


def public_pages(known: dict) -> dict[str, str]:
    """Endpoint → the path of one of its pages, for every page a visitor can open."""
    return {
        "site.index": "/",
        "directory.list_members": "/members",
        "directory.show_member": f"/members/{known['member']}",
        "directory.list_committees": "/committees",
        "directory.show_committee": f"/committees/{known['committee']}",
        "directory.list_parties": "/parties",
        "directory.show_party": f"/parties/{known['party']}",
        "directory.opt_out": f"/opt-out/{known['opt_out']}",
        "campaigns.show": "/campaigns/khojaly",
        "campaigns.embed": "/campaigns/khojaly/embed",
        "campaigns.choose": "/campaigns/khojaly/choose?committee=BuZa&action=filter",
        "campaigns.write": "/campaigns/khojaly/letter?" + "&".join(f"to={key}" for key in known["to"]),
        "campaigns.check_mail": "/campaigns/khojaly/check-your-mail",
        "replies.survey": f"/survey/{known['survey']}",
        "privacy.statement": "/privacy",
        "privacy.ask": "/privacy/my-data",
        "privacy.sent": "/privacy/my-data/sent",
        "privacy.erased": "/privacy/my-data/erased",
        "accounts.login": "/admin/login",
        "accounts.request_reset": "/admin/password-reset",
        "accounts.reset_sent": "/admin/password-reset/sent",
        "organisation.about": "/about",
    }


def admin_pages(known: dict) -> dict[str, str]:
    """Endpoint → the path of one of its pages, for every organisers' page."""
    campaign_id = known["campaign"]
    return {
        "home.index": "/admin/",
        "accounts.accounts": "/admin/accounts",
        "accounts.audit_log": "/admin/audit",
        "accounts.account": "/admin/account",
        "accounts.change_password": "/admin/account/password",
        "accounts.enrol": "/admin/account/second-factor",
        "organisation_admin.edit": "/admin/organisation",
        "organisation_admin.edit_campaign_image": f"/admin/campaigns/{campaign_id}/image",
        "campaigns_admin.index": "/admin/campaigns/",
        "campaigns_admin.show": f"/admin/campaigns/{campaign_id}",
        "agenda_admin.show": f"/admin/campaigns/{campaign_id}/agenda",
        "agenda_admin.show_ledger": f"/admin/campaigns/{campaign_id}/agenda/ledger",
        "campaigns_admin.edit": f"/admin/campaigns/{campaign_id}/edit",
        "campaigns_admin.poster": f"/admin/campaigns/{campaign_id}/poster?ref=library",
        "campaigns_admin.poster_print": f"/admin/campaigns/{campaign_id}/poster/print?ref=library",
        "campaigns_admin.review": "/admin/campaigns/review",
        "campaigns_admin.review_submission": f"/admin/campaigns/review/{known['submission']}",
        "directory_admin.members": "/admin/directory/",
        "directory_admin.committees": "/admin/directory/committees",
        "directory_admin.edit_committee": f"/admin/directory/committees/{known['committee']}",
        "directory_admin.import_csv": "/admin/directory/import",
        "directory_admin.edit_member": f"/admin/directory/members/{known['member']}",
        "directory_admin.sync_runs": "/admin/directory/sync",
        "directory_admin.sync_run": f"/admin/directory/sync/{known['run']}",
        "directory_admin.targets": "/admin/directory/targets",
        "directory_admin.edit_target": f"/admin/directory/targets/{known['target']}",
        "outbox_admin.index": "/admin/outbox/",
        "outbox_admin.show": f"/admin/outbox/{known['message']}",
        "outbox_admin.dev_mail": "/admin/dev-mail",
        "outbox_admin.domain_check": "/admin/outbox/domain",
        "privacy_admin.index": "/admin/privacy/",
        "replies_admin.index": "/admin/replies/",
        "replies_admin.show": f"/admin/replies/{known['reply']}",
        "replies_admin.new": "/admin/replies/new",
        "reports.index": "/admin/reports/",
        "reports.show": f"/admin/reports/{campaign_id}",
        "reports.handover": f"/admin/reports/{campaign_id}/handover",
        "reports.office": f"/admin/reports/{campaign_id}/members/{known['member']}",
    }


def token_pages() -> set[str]:
    """Pages behind a link only its e-mail carries; each is opened in its own test elsewhere, and here when cheap."""
    return {
        "agenda.stop_alerts",
        "campaigns.confirm",
        "campaigns.own_mail",
        "privacy.data",
        "accounts.reset_password",
        "accounts.login_code",
    }


@pytest.fixture
def site(serve) -> tuple[str, dict]:
    known: dict = {}
    url = serve(lambda: known.update(fill()), DEBUG=True)
    return url, known


def overflowing(page: Page) -> list[str]:
    """How far the page scrolls sideways, and the widest elements sticking out, when it does."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          const out = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`
                       + ` (${Math.round(el.getBoundingClientRect().right)} px)`);
          return [`${document.documentElement.scrollWidth} px wide`, ...out.slice(-4)];
        }"""
    )


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/login")
    page.locator("#email").fill("admin@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button").click()
    page.wait_for_url(f"{url}/admin/")


def test_every_page_is_in_the_layout_check(site: tuple[str, dict]) -> None:
    _url, known = site
    app = make_app("sqlite://")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    checked = set(public_pages(known)) | set(admin_pages(known)) | set(NOT_PAGES) | token_pages()
    assert sorted(endpoints - checked) == [], "pages the layout check does not visit yet: add them above"


@pytest.mark.parametrize("language", DEFAULTS["LANGUAGES"])
def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(
    browser: Browser, site: tuple[str, dict], language: str
) -> None:
    url, known = site
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/language/{language}")
    wide = {}
    for path in public_pages(known).values():
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            response = page.goto(f"{url}{path}")
            assert response.status < 400, (path, response.status)
            if found := overflowing(page):
                wide[f"{path} at {width} px"] = found
            if path in ("/members", "/committees") and width != 360:
                screenshot(page, f"{path.strip('/')}-{width}-{language}")
    log_in(page, url)
    for path in admin_pages(known).values():
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            response = page.goto(f"{url}{path}")
            assert response.status < 400, (path, response.status)
            if found := overflowing(page):
                wide[f"{path} at {width} px (admin)"] = found
            if path == "/admin/directory/" and width != 360:
                screenshot(page, f"admin-directory-{width}-{language}")
    context.close()
    assert not wide, "pages wider than the screen:\n" + "\n".join(f"{where}: {why}" for where, why in wide.items())


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", DEFAULTS["LANGUAGES"])
def test_no_public_page_has_a_serious_accessibility_problem(
    page: Page, site: tuple[str, dict], language: str, width: int
) -> None:
    url, known = site
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{url}/language/{language}")
    axe = Axe()
    problems = {}
    for path in public_pages(known).values():
        page.goto(f"{url}{path}")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    assert problems == {}


def bundled() -> None:
    from outreach.campaigns.cli import BUNDLED, load_campaign

    load_demo()
    load_campaign(BUNDLED / "khojaly.json")


@pytest.mark.parametrize("language", DEFAULTS["LANGUAGES"])
def test_the_call_to_write_is_on_the_first_screen_of_a_phone(browser: Browser, serve, language: str) -> None:
    url = serve(bundled)
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{url}/language/{language}")
        for path, name in (("/", "home"), ("/campaigns/khojaly", "campaign")):
            page.goto(f"{url}{path}")
            write = page.locator("a.button[href*='/campaigns/khojaly/choose']").first
            screenshot(page, f"{name}-{width}-{language}")
            box = write.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"{path} at {width} px: {box}"
        context.close()
