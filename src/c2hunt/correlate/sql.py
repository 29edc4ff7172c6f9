"""SQL expressions shared by the correlation and detection queries."""

from __future__ import annotations

# A URL's scheme, host and explicit port, as written in a command line.
URL_REGEX = (
    r"(?i)\b(https?)://([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::([0-9]{1,5}))?"
    r"(?:[/?#][^\s\"'<>()]*)?"
)
_ZERO_GUID = r"[{}0\s-]*"
_IPV4 = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
_IP_LITERAL = r"[0-9.]+|.*:.*"


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def guid_zero(column: str) -> str:
    """True when a ProcessGuid is missing or all zeros (Sysmon's `<unknown process>`)."""
    return f"({column} IS NULL OR regexp_full_match({column}, {sql_literal(_ZERO_GUID)}))"


def guid_key(column: str) -> str:
    """A ProcessGuid compared without braces or case."""
    return f"lower(trim({column}, '{{}} '))"


def norm_ip(expr: str) -> str:
    """An address as text, lower-cased, with an IPv4-mapped IPv6 prefix removed."""
    return f"regexp_replace(lower(trim({expr})), '^::ffff:', '')"


def norm_name(expr: str) -> str:
    """A DNS name lower-cased, without surrounding blanks or the root dot."""
    return f"rtrim(lower(trim({expr})), '.')"


def ip_number(expr: str) -> str:
    """An IPv4 or IPv6 address as a UHUGEINT, NULL for anything else (see `ip_family`).

    IPv6 is expanded in SQL (`::` filled with zero groups, each group padded to 4 digits), so
    no DuckDB extension is needed; addresses arrive in one spelling from the normalizer.
    """
    octets = " + ".join(
        f"TRY_CAST(split_part({expr}, '.', {i + 1}) AS UHUGEINT) * {256 ** (3 - i)}"
        for i in range(4)
    )
    return (
        f"CASE WHEN regexp_full_match({expr}, {sql_literal(_IPV4)}) THEN {octets} "
        f"WHEN contains({expr}, ':') THEN TRY_CAST('0x' || {_ipv6_hex(expr)} AS UHUGEINT) END"
    )


def _ipv6_hex(expr: str) -> str:
    """The 32 hex digits of an IPv6 address written with or without `::`."""

    def groups(half: int) -> str:
        part = f"split_part({expr}, '::', {half})"
        return f"list_filter(string_split({part}, ':'), lambda g: g <> '')"

    zeros = f"list_transform(range(8 - len({groups(1)}) - len({groups(2)})), lambda z: '0')"
    padded = f"list_transform({groups(1)} || {zeros} || {groups(2)}, lambda g: lpad(g, 4, '0'))"
    return f"array_to_string({padded}, '')"


def ip_family(expr: str) -> str:
    """4 or 6 for an address `ip_number` can read."""
    return (
        f"CASE WHEN regexp_full_match({expr}, {sql_literal(_IPV4)}) THEN 4 "
        f"WHEN contains({expr}, ':') THEN 6 END"
    )


def is_ip_literal(expr: str) -> str:
    return f"regexp_full_match({expr}, {sql_literal(_IP_LITERAL)})"


def basename(expr: str) -> str:
    """The lower-cased file name of a Windows or POSIX path."""
    return f"lower(regexp_extract({expr}, '[^\\\\/]+$'))"


def image_unknown(expr: str) -> str:
    """True when an Image names no file (Sysmon's `<unknown process>` for an exited process)."""
    return f"({expr} IS NULL OR trim({expr}) = '' OR regexp_matches({expr}, '^\\s*(<|&lt;)'))"


def evidence(kind: str, text: str, file: str, record: str, time: str) -> str:
    """One evidence item: a STRUCT every evidence list in c2hunt shares."""
    return (
        f"struct_pack(kind := CAST({kind} AS VARCHAR), text := CAST({text} AS VARCHAR), "
        f"file := CAST({file} AS VARCHAR), record := CAST({record} AS BIGINT), "
        f"time := CAST({time} AS BIGINT))"
    )
