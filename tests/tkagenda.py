"""Writes the House's business into a constructed SyncFeed: activities, their speakers and agenda items, cases with
their submitters, decisions, votes and answering documents, in the official XSD element names (a sibling of
tests/tkfeed.py's House)."""

import zlib

from tests.tkfeed import Feed, entity_xml, guid


class Business:
    """Publishes agenda entities into `feed`; `updated` is the version time (tk:bijgewerkt) of each."""

    def __init__(self, feed: Feed, updated: str = "2026-11-20T09:00:00Z") -> None:
        self.feed = feed
        self.updated = updated

    def _add(self, category: str, tag: str, key: str, fields: dict, refs: dict | None = None, **kw: object) -> None:
        updated = str(kw.get("updated") or self.updated)
        deleted = bool(kw.get("deleted"))
        self.feed.add(category, entity_xml(tag, key, fields, refs, updated=updated, deleted=deleted))

    def activity(
        self,
        key: str,
        subject: str,
        day: str | None,
        start: str | None = "14:00",
        *,
        kind: str = "Commissiedebat",
        status: str = "Gepland",
        committee: str | None = "buza",
        committee_name: str = "Buitenlandse Zaken",
        committee_abbreviation: str = "BuZa",
        date_kind: str = "Dag",
        **kw: object,
    ) -> None:
        """An activity on `day` (YYYY-MM-DD) at `start` (Amsterdam winter time, +01:00)."""
        fields = {
            "soort": kind,
            "nummer": "2026A" + str(zlib.crc32(key.encode()) % 100000).zfill(5),
            "onderwerp": subject,
            "datumSoort": date_kind,
            "datum": f"{day}T00:00:00+01:00" if day else None,
            "aanvangstijd": f"{day}T{start}:00+01:00" if day and start else None,
            "eindtijd": None,
            "locatie": "Thorbeckezaal",
            "besloten": "false",
            "status": status,
            "kamer": "Tweede Kamer",
            "voortouwnaam": committee_name if committee else None,
            "voortouwafkorting": committee_abbreviation if committee else None,
        }
        self._add("Activiteit", "activiteit", key, fields, {"voortouwcommissie": committee} if committee else {}, **kw)

    def speaker(
        self, key: str, activity: str, person: str, name: str, party: str, order: int = 1, **kw: object
    ) -> None:
        fields = {
            "actorNaam": name,
            "actorFractie": party,
            "relatie": "Deelnemer",
            "volgorde": str(order),
            "functie": "Woordvoerder",
            "spreektijd": "4 minuten",
        }
        self._add("ActiviteitActor", "activiteitActor", key, fields, {"activiteit": activity, "persoon": person}, **kw)

    def item(self, key: str, activity: str, subject: str, order: int = 1, **kw: object) -> None:
        fields = {"nummer": str(order), "onderwerp": subject, "volgorde": str(order), "status": "Vrijgegeven"}
        self._add("Agendapunt", "agendapunt", key, fields, {"activiteit": activity}, **kw)

    def case(
        self,
        key: str,
        kind: str,
        subject: str,
        *,
        items: tuple[str, ...] = (),
        activities: tuple[str, ...] = (),
        dossier: str | None = None,
        title: str | None = None,
        **kw: object,
    ) -> None:
        fields = {
            "nummer": "2026Z" + str(zlib.crc32(key.encode()) % 100000).zfill(5),
            "soort": kind,
            "onderwerp": subject,
            "gestartOp": "2026-11-01T10:00:00+01:00",
            "titel": title,
            "status": "Vrijgegeven",
        }
        refs = "".join(f'<agendapunt ref="{guid(i)}"/>' for i in items)
        refs += "".join(f'<activiteit ref="{guid(a)}"/>' for a in activities)
        xml = entity_xml("zaak", key, fields, {"kamerstukdossier": dossier} if dossier else {}, **_version(self, kw))
        if not kw.get("deleted"):
            head_end = xml.index(">") + 1
            xml = xml[:head_end] + refs + xml[head_end:]
        self.feed.add("Zaak", xml)

    def submitter(self, key: str, case: str, person: str, name: str, party: str, relation: str = "Indiener") -> None:
        fields = {"actorNaam": name, "actorFractie": party, "relatie": relation, "functie": "Tweede Kamerlid"}
        self._add("ZaakActor", "zaakActor", key, fields, {"zaak": case, "persoon": person})

    def decision(self, key: str, item: str, case: str, text: str, vote_kind: str | None = None, **kw: object) -> None:
        fields = {
            "stemmingsSoort": vote_kind,
            "besluitSoort": "Stemmen - aangenomen" if text.startswith("Aangenomen") else text.rstrip("."),
            "besluitTekst": text,
            "status": "Besluit",
        }
        self._add("Besluit", "besluit", key, fields, {"agendapunt": item, "zaak": case}, **kw)

    def vote(
        self,
        key: str,
        decision: str,
        party_key: str,
        party: str,
        choice: str,
        size: int,
        *,
        person: str | None = None,
        name: str | None = None,
        mistaken: bool = False,
        **kw: object,
    ) -> None:
        fields = {
            "soort": choice,
            "fractieGrootte": str(size),
            "actorNaam": name or party,
            "actorFractie": party,
            "vergissing": str(mistaken).lower(),
        }
        refs = {"besluit": decision, "fractie": party_key}
        if person:
            refs["persoon"] = person
        self._add("Stemming", "stemming", key, fields, refs, **kw)

    def dossier(self, key: str, number: int, title: str, suffix: str | None = None) -> None:
        fields = {"titel": title, "nummer": str(number), "toevoeging": suffix, "hoogsteVolgnummer": "1"}
        self._add("Kamerstukdossier", "kamerstukdossier", key, fields)

    def document(self, key: str, case: str, kind: str, day: str, subject: str = "", **kw: object) -> None:
        """A Document on a case: "Antwoord schriftelijke vragen", "Mededeling uitstel antwoord", a letter ..."""
        fields = {
            "soort": kind,
            "documentNummer": "2026D" + str(zlib.crc32(key.encode()) % 100000).zfill(5),
            "titel": None,
            "onderwerp": subject or kind,
            "datum": f"{day}T00:00:00+01:00",
            "volgnummer": "1",
            "vergaderjaar": "2026-2027",
            "kamer": "2",
            "organisatie": "Tweede Kamer der Staten-Generaal",
        }
        self._add("Document", "document", key, fields, {"zaak": case}, **kw)

    def delete(self, category: str, tag: str, key: str, updated: str) -> None:
        self.feed.add(category, entity_xml(tag, key, updated=updated, deleted=True))


def _version(business: Business, kw: dict) -> dict:
    return {"updated": str(kw.get("updated") or business.updated), "deleted": bool(kw.get("deleted"))}
