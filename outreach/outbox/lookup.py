"""DNS lookups for the own-domain check, through the resolver the configuration names (DNS_RESOLVER: a test's local
server, or a resolver that sees the public internet) or the system's."""

import ipaddress
import re

import dns.exception
import dns.resolver
from flask import current_app
from flask_babel import gettext

from outreach.outbox import spf


class Dns:
    """The lookups the check makes, through the resolver the configuration names (DNS_RESOLVER) or the system's."""

    def __init__(self) -> None:
        config = current_app.config
        configured = (config.get("DNS_RESOLVER") or "").strip()
        self.resolver = dns.resolver.Resolver(configure=not configured)
        if configured:
            host, port = _host_and_port(configured)
            self.resolver.nameservers, self.resolver.port = [host], port
        self.resolver.lifetime = self.resolver.timeout = float(config["DNS_TIMEOUT"])
        self.resolver.use_edns(0, 0, 1232)  # a 2048-bit DKIM key does not fit the 512 bytes of plain DNS

    def _answer(self, name: str, kind: str) -> list:
        try:
            return list(self.resolver.resolve(name, kind, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as error:
            raise spf.TempError(
                gettext("DNS gave no answer for %(name)s (%(error)s)", name=name, error=error)
            ) from None

    def txt(self, name: str) -> list[str]:
        return [b"".join(answer.strings).decode("utf-8", "replace") for answer in self._answer(name, "TXT")]

    def addresses(self, name: str, version: int) -> list[spf.IPAddress]:
        return [ipaddress.ip_address(answer.address) for answer in self._answer(name, "A" if version == 4 else "AAAA")]

    def mx(self, name: str) -> list[str]:
        answers = sorted(self._answer(name, "MX"), key=lambda answer: answer.preference)
        return [answer.exchange.to_text(omit_final_dot=True) for answer in answers]

    def lookups(self) -> spf.Lookups:
        return spf.Lookups(txt=self.txt, addresses=self.addresses, mx=self.mx)


def _host_and_port(value: str) -> tuple[str, int]:
    """'127.0.0.1:5353', '[::1]:53' or '192.0.2.53' (port 53); ValueError, in the reader's language, otherwise."""
    match = re.fullmatch(r"\[([^]]+)\](?::(\d+))?|([^:]+)(?::(\d+))?|([0-9a-fA-F:]+)", value)
    host = match and (match.group(1) or match.group(3) or match.group(5))
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        raise ValueError(
            gettext("DNS_RESOLVER is “%(value)s”, not an IP address with an optional port.", value=value)
        ) from None
    assert match and host
    return host, int(match.group(2) or match.group(4) or 53)
