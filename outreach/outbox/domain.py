"""The own-domain check: whether the Kamer's mail servers will trust letters from the campaign's domain (SPF for
the relay's addresses, the DKIM key Outreach signs with, DMARC and its alignment), and what to publish when not.

The organisational domain for relaxed alignment is taken as the last two labels of a name (right for .nl, .org,
.eu and the like; a domain under e.g. .co.uk is compared too loosely), so no public suffix list has to be fetched.
"""

import base64
import ipaddress
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext

from outreach.outbox import spf
from outreach.outbox.compose import Recipient, enqueue, format_address, plus_address
from outreach.outbox.dkimkey import public_key_record
from outreach.outbox.lookup import Dns
from outreach.outbox.mailtext import render_email
from outreach.outbox.models import NOTICE, OutboxMessage

OK, ADVICE, PROBLEM = "ok", "advice", "problem"
# Addresses that never reach the internet as they are: a relay there hands mail on from an address not known here.
LOCAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        *("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"),
        *("::1/128", "fc00::/7", "fe80::/10"),
    )
]


def is_local(address: spf.IPAddress) -> bool:
    return any(address in network for network in LOCAL_NETWORKS if network.version == address.version)


@dataclass(frozen=True)
class Finding:
    """One sentence for the organiser (in their language), with what to do and the DNS record to publish."""

    topic: str  # relay, spf, dkim, dmarc
    severity: str  # ok, advice, problem
    text: str
    fix: str | None = None
    record_name: str | None = None
    record_value: str | None = None


@dataclass
class Report:
    """Everything the check found for the sending domain."""

    domain: str
    envelope_domain: str
    dkim_domain: str | None
    relay: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def must_fix(self) -> bool:
        return any(finding.severity == PROBLEM for finding in self.findings)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def check(resolver: Dns | None = None) -> Report:
    """Look the sending domain up and say, finding by finding, what a receiving server will think of it."""
    config = current_app.config
    letters_from = config["LETTERS_FROM"]
    envelope = plus_address(config.get("BOUNCE_ADDRESS"), "test") or letters_from
    dkim_domain = config.get("DKIM_DOMAIN") if config.get("DKIM_PRIVATE_KEY") else None
    report = Report(domain_of(letters_from), domain_of(envelope), dkim_domain, [])
    try:
        resolver = resolver or Dns()
    except ValueError as error:
        report.findings.append(Finding("relay", PROBLEM, str(error)))
        return report
    addresses, report.findings = relay_addresses(resolver)
    report.relay = [str(address) for address in addresses]
    spf_passes = _check_spf(report, resolver, addresses, envelope)
    dkim_passes = _check_dkim(report, resolver)
    _check_dmarc(report, resolver, spf_passes, dkim_passes)
    return report


def relay_addresses(resolver: Dns) -> tuple[list[spf.IPAddress], list[Finding]]:
    """The public addresses mail leaves from: OUTBOX_RELAY_IPS when the organiser gave them, else MAIL_SERVER's."""
    config = current_app.config
    given = config.get("OUTBOX_RELAY_IPS") or ""
    names = given.replace(",", " ").split() if isinstance(given, str) else list(given)
    server = config["MAIL_SERVER"]
    findings = []
    addresses: list[spf.IPAddress] = []
    for name in names:
        try:
            addresses.append(ipaddress.ip_address(name))
        except ValueError:
            findings.append(
                Finding(
                    "relay",
                    PROBLEM,
                    gettext("OUTBOX_RELAY_IPS holds “%(value)s”, which is not an IP address.", value=name),
                )
            )
    if not names:
        try:
            addresses = [ipaddress.ip_address(server)]
        except ValueError:
            try:
                addresses = resolver.addresses(server, 4) + resolver.addresses(server, 6)
            except spf.TempError as error:
                findings.append(Finding("relay", PROBLEM, str(error)))
            if not addresses and not findings:
                findings.append(
                    Finding(
                        "relay", PROBLEM, gettext("The mail server %(server)s has no address in DNS.", server=server)
                    )
                )
    private = [address for address in addresses if is_local(address)]
    if private:
        findings.append(
            Finding(
                "relay",
                PROBLEM,
                gettext(
                    "The mail server %(server)s has a local address (%(addresses)s), so the address your mail reaches "
                    "the internet from is not known.",
                    server=server,
                    addresses=", ".join(map(str, private)),
                ),
                gettext("Set OUTREACH_OUTBOX_RELAY_IPS to the public addresses your mail provider sends from."),
            )
        )
    public = [address for address in addresses if not is_local(address)]
    if public:
        findings.append(
            Finding(
                "relay",
                OK,
                gettext("Mail leaves from %(addresses)s.", addresses=", ".join(map(str, public)))
                + (
                    ""
                    if names
                    else " "
                    + gettext(
                        "If your provider sends from other addresses than its server's name has, set "
                        "OUTREACH_OUTBOX_RELAY_IPS to those."
                    )
                ),
            )
        )
    return public, findings


def _suggested_spf(record: str | None, missing: list[spf.IPAddress]) -> str:
    terms = " ".join(f"ip{address.version}:{address}" for address in missing)
    if record is None:
        return f"v=spf1 {terms} -all"
    return re.sub(r"^v=spf1", f"v=spf1 {terms}", record, flags=re.IGNORECASE)


def _check_spf(report: Report, resolver: Dns, addresses: list[spf.IPAddress], envelope: str) -> bool:
    """True when SPF passes for every address mail leaves from."""
    domain = report.envelope_domain
    try:
        record = spf.spf_record(resolver.txt(domain))
    except (spf.TempError, spf.PermError) as error:
        report.findings.append(
            Finding("spf", PROBLEM, gettext("SPF of %(domain)s: %(error)s", domain=domain, error=error))
        )
        return False
    if record is None:
        report.findings.append(
            Finding(
                "spf",
                PROBLEM,
                gettext(
                    "%(domain)s has no SPF record: receivers cannot tell your mail from forged mail.", domain=domain
                ),
                gettext("Publish this TXT record:") if addresses else None,
                domain if addresses else None,
                _suggested_spf(None, addresses) if addresses else None,
            )
        )
        return False
    refused, lookups = [], 0
    for address in addresses:
        result = spf.check_host(address, domain, envelope, resolver.lookups())
        lookups = max(lookups, result.lookups)
        if result.result == spf.PERMERROR:
            text = gettext("The SPF record of %(domain)s is broken (%(reason)s): receivers treat it as an error.")
            report.findings.append(Finding("spf", PROBLEM, text % {"domain": domain, "reason": result.reason}))
            return False
        if result.result == spf.TEMPERROR:
            report.findings.append(Finding("spf", PROBLEM, result.reason))
            return False
        if result.result != spf.PASS:
            refused.append((address, result.result))
    if refused:
        for address, result in refused:
            text = gettext(
                "The SPF record of %(domain)s does not allow %(address)s, the address your mail leaves from "
                "(a receiver's verdict: %(result)s).",
                domain=domain,
                address=address,
                result=result,
            )
            report.findings.append(
                Finding(
                    "spf",
                    PROBLEM,
                    text,
                    gettext("Add it to the record, which then reads:"),
                    domain,
                    _suggested_spf(record, [address for address, _ in refused]),
                )
            )
        return False
    if not addresses:
        return False
    text = gettext(
        "The SPF record of %(domain)s allows the address your mail leaves from (%(lookups)s of 10 DNS lookups).",
        domain=domain,
        lookups=lookups,
    )
    report.findings.append(Finding("spf", OK, text))
    ending = record.split()[-1].lower()
    if ending in ("all", "+all"):
        report.findings.append(
            Finding(
                "spf",
                PROBLEM,
                gettext("The SPF record ends in “%(term)s”: it allows every server on the internet.", term=ending),
                gettext("End it with -all instead."),
            )
        )
    elif ending in ("~all", "?all"):
        report.findings.append(
            Finding(
                "spf",
                ADVICE,
                gettext(
                    "The SPF record ends in “%(term)s”: mail from other servers is only marked, not refused.",
                    term=ending,
                ),
                gettext("When every server that sends for %(domain)s is in it, end it with -all.", domain=domain),
            )
        )
    return True


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, equals, value = part.partition("=")
        if equals:
            tags[name.strip().lower()] = value.strip()
    return tags


def _check_dkim(report: Report, resolver: Dns) -> bool:
    """True when the key published under the selector is the one Outreach signs with."""
    from dkim.crypto import UnparsableKeyError, parse_public_key  # here: only this check reads public keys

    config = current_app.config
    if not config.get("DKIM_PRIVATE_KEY"):
        report.findings.append(
            Finding(
                "dkim",
                ADVICE,
                gettext("Outreach does not sign letters with DKIM (no OUTREACH_DKIM_PRIVATE_KEY_FILE)."),
                gettext(
                    "If your mail provider signs them, the test message's headers say dkim=pass. Otherwise make a key "
                    "(openssl genrsa -out dkim.pem 2048), set OUTREACH_DKIM_PRIVATE_KEY_FILE to it, and open this "
                    "page again for the record to publish."
                ),
            )
        )
        return False
    try:
        expected, key = public_key_record(config["DKIM_PRIVATE_KEY"])
    except (UnparsableKeyError, ValueError):
        report.findings.append(
            Finding("dkim", PROBLEM, gettext("The DKIM key cannot be read: this check understands RSA keys in PEM."))
        )
        return False
    name = f"{config['DKIM_SELECTOR']}._domainkey.{config['DKIM_DOMAIN']}"
    publish = gettext("Publish this TXT record:")
    try:
        records = [record for record in resolver.txt(name) if "p=" in record]
    except spf.TempError as error:
        report.findings.append(Finding("dkim", PROBLEM, str(error)))
        return False
    if not records:
        text = gettext("There is no DKIM key at %(name)s, so receivers cannot check the signature.", name=name)
        report.findings.append(Finding("dkim", PROBLEM, text, publish, name, expected))
        return False
    tags = _tags(records[0])
    published = re.sub(r"\s", "", tags.get("p", ""))
    try:
        public = parse_public_key(base64.b64decode(published, validate=True)) if published else None
    except (UnparsableKeyError, ValueError):
        public = None
    if (
        tags.get("k", "rsa").lower() != "rsa"
        or public is None
        or ((public["modulus"], public["publicExponent"]) != (key["modulus"], key["publicExponent"]))
    ):
        text = gettext(
            "The DKIM key published at %(name)s does not match the key Outreach signs with: receivers would reject "
            "the signature.",
            name=name,
        )
        report.findings.append(Finding("dkim", PROBLEM, text, gettext("Replace it with:"), name, expected))
        return False
    report.findings.append(
        Finding("dkim", OK, gettext("The DKIM key at %(name)s matches the key Outreach signs with.", name=name))
    )
    if "y" in tags.get("t", "").lower().split(":"):
        text = gettext("The DKIM key is marked as a test (t=y): some receivers ignore its signatures.")
        report.findings.append(Finding("dkim", ADVICE, text, gettext("Remove t=y from the record.")))
    return True


def organisational(domain: str) -> str:
    return ".".join(domain.split(".")[-2:])


def aligned(domain: str | None, from_domain: str, mode: str) -> bool:
    """DMARC alignment: the same name (strict, "s"), or the same organisational domain (relaxed, "r")."""
    if not domain:
        return False
    if mode == "s":
        return domain.lower() == from_domain
    return organisational(domain.lower()) == organisational(from_domain)


def _check_dmarc(report: Report, resolver: Dns, spf_passes: bool, dkim_passes: bool) -> None:
    domain = report.domain
    names = [f"_dmarc.{domain}"]
    if organisational(domain) != domain:
        names.append(f"_dmarc.{organisational(domain)}")
    records: list[str] = []
    try:
        for name in names:
            records = [record for record in resolver.txt(name) if re.match(r"v=DMARC1\s*(;|$)", record.strip())]
            if records:
                break
    except spf.TempError as error:
        report.findings.append(Finding("dmarc", PROBLEM, str(error)))
        return
    tags = _tags(records[0]) if len(records) == 1 else {}
    if not records:
        report.findings.append(
            Finding(
                "dmarc",
                PROBLEM,
                gettext(
                    "%(domain)s has no DMARC record: large mail services and spam filters distrust mail without one.",
                    domain=domain,
                ),
                gettext(
                    "Publish this TXT record (p=none only asks receivers to report; raise it to p=quarantine once "
                    "letters pass):"
                ),
                f"_dmarc.{domain}",
                "v=DMARC1; p=none; adkim=r; aspf=r",
            )
        )
    elif len(records) > 1:
        text = gettext("%(name)s holds more than one DMARC record, so receivers ignore them all.", name=name)
        report.findings.append(Finding("dmarc", PROBLEM, text, gettext("Keep one of them.")))
    elif tags.get("p", "").lower() not in ("none", "quarantine", "reject"):
        text = gettext("The DMARC record at %(name)s has no valid policy (p=).", name=name)
        report.findings.append(Finding("dmarc", PROBLEM, text))
    else:
        policy = tags["p"].lower()
        text = gettext("%(domain)s has a DMARC record with policy %(policy)s.", domain=domain, policy=policy)
        report.findings.append(Finding("dmarc", OK, text))
        if policy == "none":
            report.findings.append(
                Finding(
                    "dmarc",
                    ADVICE,
                    gettext("With p=none receivers are not asked to stop mail forged in your name."),
                    gettext("Once letters pass SPF and DKIM, raise the policy to p=quarantine."),
                )
            )
    spf_aligned = aligned(report.envelope_domain, domain, tags.get("aspf", "r").lower())
    dkim_aligned = aligned(report.dkim_domain, domain, tags.get("adkim", "r").lower())
    through = [
        name for name, passes in (("SPF", spf_passes and spf_aligned), ("DKIM", dkim_passes and dkim_aligned)) if passes
    ]
    if not through:
        text = gettext(
            "Letters would fail DMARC: neither SPF (for %(envelope)s) nor DKIM (for %(dkim)s) both passes and "
            "matches the From domain %(domain)s.",
            envelope=report.envelope_domain,
            dkim=report.dkim_domain or "-",
            domain=domain,
        )
        fix = gettext("Fix the SPF or DKIM findings above; sign with DKIM_DOMAIN set to %(domain)s.", domain=domain)
        report.findings.append(Finding("dmarc", PROBLEM, text, fix))
    elif through == ["SPF"]:
        text = gettext("Letters pass DMARC through SPF only, which fails when a message is forwarded.")
        report.findings.append(Finding("dmarc", ADVICE, text, gettext("Sign with DKIM as well.")))
    else:
        text = gettext("Letters pass DMARC through %(through)s.", through=" + ".join(through))
        report.findings.append(Finding("dmarc", OK, text))


def send_test(address: str, report: Report, language: str) -> OutboxMessage:
    """Queue a test message to `address`, sent like a letter (the letters' From, bounce address and DKIM key), with
    the findings in it, so the organiser can read in its headers what a receiver made of it (the caller commits)."""
    config = current_app.config
    text = render_email(
        "domain_test", language, domain=report.domain, findings=[finding.text for finding in report.findings]
    )
    sender = format_address("Outreach", config["LETTERS_FROM"])
    return enqueue(NOTICE, Recipient(None, address), text.subject, text.body, language=language, sender=sender)
