from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from hypothesis import given, settings
from hypothesis import strategies as st

from c2hunt.detect.testing import query_rows, sysmon

_IPV4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
_NAME = st.from_regex(r"[a-z]{1,8}\.[a-z]{2,5}", fullmatch=True)


@settings(max_examples=25, deadline=None)
@given(
    cnames=st.lists(_NAME, max_size=3),
    addresses=st.lists(st.tuples(_IPV4, st.booleans()), min_size=1, max_size=4),
)
def test_query_results_yield_the_addresses(
    cnames: list[str], addresses: list[tuple[str, bool]]
) -> None:
    """`type:  5 NAME;` items are CNAMEs; `::ffff:` wraps an IPv4 address or not."""
    text = "".join(f"type:  5 {c};" for c in cnames)
    text += "".join(f"{'::ffff:' if mapped else ''}{ip};" for ip, mapped in addresses)
    rows = [sysmon(22, QueryName="Example.COM.", QueryResults=text)]
    got = query_rows(rows, "SELECT query_name, answers FROM c2_dns")
    assert got == [("example.com", [ip for ip, _ in addresses])]


def test_connections_unwrap_mapped_addresses_and_zero_guids() -> None:
    rows = [
        sysmon(
            3,
            ProcessGuid="{00000000-0000-0000-0000-000000000000}",
            Image="<unknown process>",
            DestinationIp="::FFFF:140.82.113.4",
        ),
        sysmon(3, ProcessGuid="{ABC-1}", Image=r"C:\x\curl.exe", DestinationIp="10.0.0.1"),
        sysmon(3, Image="&lt;unknown process&gt;", DestinationIp="fe80::1"),
    ]
    got = query_rows(
        rows,
        "SELECT guid_zero, guid_key, image_unknown, dest_ip, dest_ip_number FROM c2_connections "
        "ORDER BY _record",
    )
    assert got == [
        (
            True,
            "00000000-0000-0000-0000-000000000000",
            True,
            "140.82.113.4",
            int(IPv4Address("140.82.113.4")),
        ),
        (False, "abc-1", False, "10.0.0.1", int(IPv4Address("10.0.0.1"))),
        (True, None, True, "fe80::1", int(IPv6Address("fe80::1"))),
    ]
