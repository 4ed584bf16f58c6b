"""SPF as a receiving mail server evaluates it (RFC 7208 `check_host`), so an organiser learns before sending
whether the Kamer's servers will accept mail from the relay's address for the campaign's domain."""

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext

PASS, FAIL, SOFTFAIL, NEUTRAL, NONE, PERMERROR, TEMPERROR = (
    "pass",
    "fail",
    "softfail",
    "neutral",
    "none",
    "permerror",
    "temperror",
)
QUALIFIERS = {"+": PASS, "-": FAIL, "~": SOFTFAIL, "?": NEUTRAL}
MAX_LOOKUPS = 10  # RFC 7208 4.6.4: mechanisms and modifiers that query DNS
MAX_VOID_LOOKUPS = 2  # ... and lookups that found nothing
MAX_MX_NAMES = 10

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TempError(Exception):
    """DNS did not answer (timeout, server failure): the result is temperror, not a verdict on the record."""


@dataclass
class Lookups:
    """What one evaluation asks DNS, counted against the RFC's limits; `txt`/`addresses`/`mx` return [] for a
    name that does not exist or has no such records, and raise TempError when DNS fails."""

    txt: Callable[[str], list[str]]
    addresses: Callable[[str, int], list[IPAddress]]  # (name, 4 or 6)
    mx: Callable[[str], list[str]]
    count: int = 0
    void: int = 0
    records: dict[str, str] = field(default_factory=dict)  # domain → its SPF record, for the explanation

    def spend(self) -> None:
        self.count += 1
        if self.count > MAX_LOOKUPS:
            raise PermError(gettext("more than %(count)s DNS lookups", count=MAX_LOOKUPS))

    def found(self, answers: list) -> list:
        if not answers:
            self.void += 1
            if self.void > MAX_VOID_LOOKUPS:
                raise PermError(gettext("more than %(count)s lookups that found nothing", count=MAX_VOID_LOOKUPS))
        return answers


class PermError(Exception):
    """The record is broken (syntax, several records, too many lookups): receivers treat it as an error."""


@dataclass(frozen=True)
class Result:
    """The verdict for one address, and why (the reason in English, for the log and the explanation)."""

    result: str
    reason: str = ""
    lookups: int = 0


def check_host(ip: IPAddress, domain: str, sender: str, lookups: Lookups) -> Result:
    """Would a receiver accept `ip` sending as `sender` (MAIL FROM) for `domain`? pass, fail, softfail, neutral,
    none, permerror or temperror, as RFC 7208 defines them."""
    try:
        result, reason = _check(ip, domain.rstrip(".").lower(), sender, lookups, depth=0)
    except PermError as error:
        result, reason = PERMERROR, str(error)
    except TempError as error:
        result, reason = TEMPERROR, str(error)
    return Result(result, reason, lookups.count)


def spf_record(records: list[str]) -> str | None:
    """The one SPF record among a domain's TXT records; PermError when there are several."""
    found = [record for record in records if re.fullmatch(r"v=spf1(\s.*)?", record.strip(), re.IGNORECASE)]
    if len(found) > 1:
        raise PermError(gettext("more than one SPF record"))
    return found[0].strip() if found else None


def _check(ip: IPAddress, domain: str, sender: str, lookups: Lookups, depth: int) -> tuple[str, str]:
    if depth > MAX_LOOKUPS:
        raise PermError(gettext("includes that go round in a loop"))
    record = spf_record(lookups.txt(domain))
    if record is None:
        return NONE, f"{domain} has no SPF record"
    lookups.records.setdefault(domain, record)
    terms = record.split()[1:]
    redirect = None
    for term in terms:
        modifier = re.fullmatch(r"([a-zA-Z][\w.-]*)=(.*)", term)
        if modifier:
            if modifier.group(1).lower() == "redirect":
                redirect = modifier.group(2)
            continue  # exp= and unknown modifiers do not change the result
        qualifier = term[0] if term[0] in QUALIFIERS else "+"
        mechanism = term[1:] if term[0] in QUALIFIERS else term
        if _matches(mechanism, ip, domain, sender, lookups, depth):
            return QUALIFIERS[qualifier], f"{term} in the record of {domain}"
    if redirect is not None:
        lookups.spend()
        target = _expand(redirect, ip, domain, sender)
        result, reason = _check(ip, target, sender, lookups, depth + 1)
        if result == NONE:
            raise PermError(gettext("redirect to %(domain)s, which has no SPF record", domain=target))
        return result, reason
    return NEUTRAL, f"nothing in the record of {domain} matches"


def _matches(mechanism: str, ip: IPAddress, domain: str, sender: str, lookups: Lookups, depth: int) -> bool:
    name, _, argument = mechanism.partition(":")
    name = name.lower()
    if "/" in name:  # a/24 or mx//64 without a domain
        name, slash, cidr = name.partition("/")
        argument = slash + cidr
    if name == "all":
        return True
    if name in ("ip4", "ip6"):
        try:
            network = ipaddress.ip_network(argument, strict=False)
        except ValueError:
            raise PermError(gettext("%(term)s is not a network", term=mechanism)) from None
        if network.version != (4 if name == "ip4" else 6):
            raise PermError(gettext("%(term)s is not a network", term=mechanism))
        return ip.version == network.version and ip in network
    if name == "include":
        if not argument:
            raise PermError(gettext("include: without a domain"))
        lookups.spend()
        result, _ = _check(ip, _expand(argument, ip, domain, sender), sender, lookups, depth + 1)
        if result in (NONE, PERMERROR):
            raise PermError(gettext("include:%(domain)s has no usable SPF record", domain=argument))
        return result == PASS
    if name in ("a", "mx"):
        lookups.spend()
        target, prefix4, prefix6 = _domain_and_prefixes(argument, ip, domain, sender)
        prefix = prefix4 if ip.version == 4 else prefix6
        if name == "a":
            addresses = lookups.found(lookups.addresses(target, ip.version))
        else:
            hosts = lookups.found(lookups.mx(target))
            if len(hosts) > MAX_MX_NAMES:
                raise PermError(
                    gettext("mx:%(domain)s names more than %(count)s servers", domain=target, count=MAX_MX_NAMES)
                )
            addresses = [address for host in hosts for address in lookups.addresses(host, ip.version)]
        return any(ip in ipaddress.ip_network(f"{address}/{prefix}", strict=False) for address in addresses)
    if name == "exists":
        lookups.spend()
        return bool(lookups.found(lookups.addresses(_expand(argument, ip, domain, sender), 4)))
    if name == "ptr":
        # Deprecated (RFC 7208 5.5) and slow: receivers may skip it, so it never counts as allowing the relay.
        lookups.spend()
        return False
    raise PermError(gettext("unknown term %(term)s", term=mechanism))


def _domain_and_prefixes(argument: str, ip: IPAddress, domain: str, sender: str) -> tuple[str, int, int]:
    """`a:host/24//64` → ('host', 24, 64); the current domain when none is given."""
    match = re.fullmatch(r"([^/]*)(?:/(\d+))?(?://(\d+))?", argument)
    if not match:
        raise PermError(gettext("unknown term %(term)s", term=argument))
    prefix4, prefix6 = int(match.group(2) or 32), int(match.group(3) or 128)
    if prefix4 > 32 or prefix6 > 128:
        raise PermError(gettext("unknown term %(term)s", term=argument))
    return (_expand(match.group(1), ip, domain, sender) if match.group(1) else domain), prefix4, prefix6


def _expand(spec: str, ip: IPAddress, domain: str, sender: str) -> str:
    """Macros (RFC 7208 7): %{s} %{l} %{o} %{d} %{i} %{h} %{v}, with digits, r and delimiters; %% %_ %-."""
    local, _, sender_domain = sender.rpartition("@")
    values = {
        "s": sender,
        "l": local or "postmaster",
        "o": sender_domain,
        "d": domain,
        "i": str(ip) if ip.version == 4 else ".".join(ip.exploded.replace(":", "")),
        "h": domain,
        "v": "in-addr" if ip.version == 4 else "ip6",
    }

    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("%%", "%_", "%-"):
            return {"%%": "%", "%_": " ", "%-": "%20"}[match.group(0)]
        letter, digits, reverse, delimiters = match.group(1).lower(), match.group(2), match.group(3), match.group(4)
        if letter not in values:
            raise PermError(gettext("unknown term %(term)s", term=spec))
        parts = re.split("[" + re.escape(delimiters or ".") + "]", values[letter])
        if reverse:
            parts.reverse()
        if digits:
            parts = parts[-int(digits) :]
        return ".".join(parts)

    expanded = re.sub(r"%\{([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)\}|%%|%_|%-", replace, spec)
    if "%" in expanded:
        raise PermError(gettext("unknown term %(term)s", term=spec))
    return expanded.rstrip(".").lower()
