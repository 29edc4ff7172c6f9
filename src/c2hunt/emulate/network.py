"""Name resolution for emulated hosts: the same name always resolves to the same addresses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Addresses the real services answered with when the scenarios were written. Other names get
# addresses derived from their own text, in first octets no listed service range covers, so an
# emulated benign site can never be named a web service by its address.
_KNOWN: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "pastebin.com": (None, ("104.20.67.143", "172.67.34.170")),
    "raw.githubusercontent.com": (
        None,
        ("185.199.108.133", "185.199.109.133", "185.199.110.133", "185.199.111.133"),
    ),
    "github.com": (None, ("140.82.121.4",)),
    "api.telegram.org": (None, ("149.154.167.220",)),
}
_FIRST_OCTETS = (13, 20, 23, 34, 35, 40, 52, 104, 142, 152, 162, 199)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a DNS query for `name` returns: an optional CNAME and the A records."""

    name: str
    cname: str | None
    addresses: tuple[str, ...]

    @property
    def query_results(self) -> str:
        """The answer as Sysmon 22 writes it in QueryResults."""
        prefix = f"type:  5 {self.cname};" if self.cname else ""
        return prefix + "".join(f"::ffff:{address};" for address in self.addresses)


def resolve(name: str) -> Resolution:
    """The stable answer for `name`."""
    name = name.lower()
    if name in _KNOWN:
        cname, addresses = _KNOWN[name]
        return Resolution(name, cname, addresses)
    digest = hashlib.sha256(name.encode()).digest()
    first = _FIRST_OCTETS[digest[0] % len(_FIRST_OCTETS)]
    address = f"{first}.{digest[1]}.{digest[2]}.{max(digest[3], 1)}"
    return Resolution(name, None, (address,))
