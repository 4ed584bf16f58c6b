"""The SyncFeed page parser on real recorded samples and on the format's corner cases."""

import json
from pathlib import Path

import pytest

from outreach.directory.syncfeed import SyncFeedError, parse_page
from tests.tkfeed import ATOM, Feed, entity_xml, guid

FIXTURES = Path(__file__).parent / "fixtures" / "tk"
URL = "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/Feed?category=FractieZetelPersoon"


def test_the_recorded_entry_parses_with_its_cursor() -> None:
    entry = (FIXTURES / "syncfeed_fractiezetelpersoon_entry_2023.xml").read_text(encoding="utf-8")
    page = parse_page(f'<feed xmlns="{ATOM}">{entry}</feed>'.encode(), URL)
    assert page.next_url is None and page.resume_url is None
    [item] = page.entries
    assert item.next_url == URL + "&skiptoken=16687327"
    entity = item.entity
    assert (entity.category, entity.id, entity.updated, entity.deleted) == (
        "fractieZetelPersoon",
        "808fcd50-a0dc-4f60-8b9d-c404a2eb5b2e",
        "2023-08-29T11:10:24Z",
        False,
    )
    assert entity.refs == {
        "fractieZetel": "ca826e72-cf57-4cca-b090-d5c444ec6c2d",
        "persoon": "ec273841-069f-408b-b434-8524904ae314",
    }
    assert entity.fields == {"functie": "Lid", "van": "2002-05-23", "totEnMet": "2010-10-11"}


@pytest.mark.parametrize("sample", ["persoon_with_joined_memberships", "fractie", "deleted_fractiezetelpersoon"])
def test_recorded_entities_written_as_the_feed_writes_them_read_back_the_same(sample: str) -> None:
    recorded = json.loads((FIXTURES / "syncfeed_flattened_samples_2023-2024.json").read_text(encoding="utf-8"))
    content = recorded[sample]["content"]
    fields = {
        k: v
        for k, v in content.items()
        if k not in {"refs", "tagname", "id", "bijgewerkt", "verwijderd", "contentType", "contentLength"}
    }
    xml = entity_xml(
        content["tagname"], "x", fields, updated=content["bijgewerkt"], deleted=content["verwijderd"] == "true"
    )
    feed = Feed()
    feed.add("Any", xml.replace(guid("x"), content["id"]))
    [item] = parse_page(feed.page("Any", None), URL).entries
    assert item.entity.id == content["id"]
    assert item.entity.deleted is (content["verwijderd"] == "true")
    assert item.entity.fields == ({} if item.entity.deleted else fields)


def test_nil_values_become_none_and_text_is_trimmed() -> None:
    feed = Feed()
    feed.add("Persoon", entity_xml("persoon", "p", {"tussenvoegsel": None, "achternaam": "  Wit  "}))
    [item] = parse_page(feed.page("Persoon", None), URL).entries
    assert item.entity.fields == {"tussenvoegsel": None, "achternaam": "Wit"}


def test_an_empty_page_carries_the_resume_link() -> None:
    page = parse_page(Feed().page("Persoon", 16_000_123), URL)
    assert page.entries == [] and page.resume_url.endswith("skiptoken=16000123")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not valid XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><content/></entry></feed>", "exactly one entity"),
        (b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><feed>&a;</feed>", "not valid XML"),
    ],
)
def test_broken_pages_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(SyncFeedError, match=message):
        parse_page(body, URL)
