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


def ipv4_int(expr: str) -> str:
    """An IPv4 address as an integer, NULL for anything else."""
    parts = " + ".join(
        f"(TRY_CAST(split_part({expr}, '.', {i + 1}) AS BIGINT) << {24 - 8 * i})" for i in range(4)
    )
    return f"CASE WHEN regexp_full_match({expr}, {sql_literal(_IPV4)}) THEN {parts} END"


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
