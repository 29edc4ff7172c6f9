"""Microsoft Sentinel and Defender KQL: over `DeviceNetworkEvents` and over Sysmon in `Event`.

`DeviceNetworkEvents` (Defender for Endpoint) already carries the initiating process's file
name, OriginalFileName, command line and parent, so no join is needed. Sysmon events that the
Azure Monitor or Log Analytics agent sends to the `Event` table keep their fields in the
`EventData` XML; the queries parse it with `parse_xml`. The precise Sysmon query joins
event 1 by ProcessGuid for the command line, parent and OriginalFileName.
"""

from __future__ import annotations

from c2hunt.errors import ExportError
from c2hunt.knowledge import Flag, Knowledge

from .common import (
    Document,
    Wildcard,
    comment_block,
    domain_regex,
    header_lines,
    images,
    original_file_names,
    spec_flag_pattern,
    spec_host_patterns,
    spec_image_patterns,
    weighted_sum,
)
from .escape import identifier, kql_string

# Sysmon field -> DeviceNetworkEvents column (None: the table has no such column).
MDE_COLUMNS: dict[str, str | None] = {
    "_messageTime": "Timestamp",
    "Computer": "DeviceName",
    "User": "InitiatingProcessAccountName",
    "Image": "InitiatingProcessFolderPath",
    "OriginalFileName": "InitiatingProcessVersionInfoOriginalFileName",
    "CommandLine": "InitiatingProcessCommandLine",
    "ParentImage": "InitiatingProcessParentFileName",
    "ParentCommandLine": None,
    "DestinationHostname": "RemoteUrl",
    "DestinationIp": "RemoteIP",
    "DestinationPort": "RemotePort",
}
# Sysmon event 3 fields the Sysmon queries read from EventData (Computer is an Event column).
NETWORK_FIELDS = (
    "ProcessGuid",
    "User",
    "Image",
    "DestinationHostname",
    "DestinationIp",
    "DestinationPort",
)
PROCESS_FIELDS = (
    "ProcessGuid",
    "CommandLine",
    "ParentImage",
    "ParentCommandLine",
    "OriginalFileName",
)
SYSMON_FUNCTION = """let SysmonEvent = (ids: dynamic) {
    Event
    | where Source == "Microsoft-Windows-Sysmon" and EventID in (ids)
    | extend EventFields = parse_xml(EventData).DataItem.EventData.Data
    | mv-apply Field = EventFields on (
        summarize Sysmon = make_bag(bag_pack(tostring(Field["@Name"]), tostring(Field["#text"])))
    )
};"""
URL_HOST = r'tolower(extract(@"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/:?#]+)", 1, RemoteUrl))'
TITLES = {
    ("spec", "mde"): "the specification's semantics over DeviceNetworkEvents",
    ("spec", "sysmon"): "the specification's semantics over Sysmon event 3 in Event",
    ("precise", "mde"): "label-boundary names, file names, regex flags, DeviceNetworkEvents",
    ("precise", "sysmon"): "as precise, Sysmon event 3 joined to event 1 by ProcessGuid",
}


def render(knowledge: Knowledge, profile: str) -> tuple[Document, ...]:
    if profile == "spec":
        queries = {"mde": _spec_mde(knowledge), "sysmon": _spec_sysmon(knowledge)}
    else:
        queries = {"mde": _precise_mde(knowledge), "sysmon": _precise_sysmon(knowledge)}
    return tuple(_document(knowledge, profile, v, q) for v, q in queries.items())


def _document(knowledge: Knowledge, profile: str, variant: str, lines: list[str]) -> Document:
    header = comment_block(
        header_lines(knowledge, "sentinel", profile, TITLES[profile, variant]), "//"
    )
    return Document(f"c2hunt-t1102.003-{profile}-{variant}.kql", header + "\n".join(lines) + "\n")


def _spec_mde(knowledge: Knowledge) -> list[str]:
    return [
        "DeviceNetworkEvents",
        "| extend dest_host = tolower(RemoteUrl),"
        " proc_image = tolower(InitiatingProcessFolderPath)",
        *_spec_filters(knowledge),
        *(_flag_extend(f, _mde_column(f.field), spec=True) for f in knowledge.flags),
        *_tail(knowledge, mde=True),
    ]


def _spec_sysmon(knowledge: Knowledge) -> list[str]:
    fields = (*NETWORK_FIELDS[1:], "CommandLine", "ParentImage", "ParentCommandLine")
    return [
        SYSMON_FUNCTION,
        "SysmonEvent(dynamic([3]))",
        _extend_fields(fields),
        "| extend dest_host = tolower(DestinationHostname), proc_image = tolower(Image)",
        *_spec_filters(knowledge),
        *(_flag_extend(f, identifier(f.field), spec=True) for f in knowledge.flags),
        *_tail(knowledge, mde=False),
    ]


def _precise_mde(knowledge: Knowledge) -> list[str]:
    return [
        "DeviceNetworkEvents",
        f"| extend dest_host = {URL_HOST}",
        f"| where dest_host matches regex {kql_string(domain_regex(knowledge))}",
        *_image_filter(
            knowledge,
            "tolower(InitiatingProcessFileName)",
            "tolower(InitiatingProcessVersionInfoOriginalFileName)",
        ),
        *(_flag_extend(f, _mde_column(f.field), spec=False) for f in knowledge.flags),
        *_tail(knowledge, mde=True),
    ]


def _precise_sysmon(knowledge: Knowledge) -> list[str]:
    network = ", ".join(("TimeGenerated", "Computer", *NETWORK_FIELDS))
    return [
        SYSMON_FUNCTION,
        "let Processes = SysmonEvent(dynamic([1]))",
        "    " + _extend_fields(PROCESS_FIELDS),
        f"    | project {', '.join(PROCESS_FIELDS)};",
        "SysmonEvent(dynamic([3]))",
        _extend_fields(NETWORK_FIELDS),
        f"| project {network}",
        "| extend dest_host = tolower(DestinationHostname)",
        f"| where dest_host matches regex {kql_string(domain_regex(knowledge))}",
        "| join kind=leftouter (Processes) on ProcessGuid",
        *_image_filter(
            knowledge, r'tolower(extract(@"[^\\/]*$", 0, Image))', "tolower(OriginalFileName)"
        ),
        *(_flag_extend(f, identifier(f.field), spec=False) for f in knowledge.flags),
        *_tail(knowledge, mde=False),
    ]


def _spec_filters(knowledge: Knowledge) -> list[str]:
    hosts = [_wildcard_test("dest_host", p) for p in spec_host_patterns(knowledge)]
    procs = [_wildcard_test("proc_image", p) for p in spec_image_patterns(knowledge)]
    return [_where_any(hosts), _where_any(procs)]


def _image_filter(knowledge: Knowledge, name: str, original: str) -> list[str]:
    names = ", ".join(kql_string(i) for i in images(knowledge))
    originals = ", ".join(kql_string(n) for n in original_file_names(knowledge))
    return [
        f"| extend proc_name = {name}, proc_original = {original}",
        f"| where proc_name in ({names})\n    or proc_original in ({originals})",
    ]


def _wildcard_test(column: str, pattern: Wildcard) -> str:
    """A case-sensitive KQL test of `column` against a wildcard pattern."""
    operators = {
        "equals": "==",
        "contains": "contains_cs",
        "endswith": "endswith_cs",
        "startswith": "startswith_cs",
    }
    if pattern.shape in operators:
        return f"{column} {operators[pattern.shape]} {kql_string(pattern.literal)}"
    return f"{column} matches regex {kql_string(pattern.regex())}"


def _flag_extend(flag: Flag, column: str, spec: bool) -> str:
    pattern = spec_flag_pattern(flag) if spec else None
    if spec and pattern is None:
        return f"| extend {identifier(flag.name)} = 0"
    if pattern is not None:
        test = _wildcard_test(column, pattern)
    else:
        test = f"{column} matches regex {kql_string(f'(?i)(?:{flag.regex})')}"
    return f"| extend {identifier(flag.name)} = iff({test}, 1, 0)"


def _tail(knowledge: Knowledge, mde: bool) -> list[str]:
    flags = [identifier(f.name) for f in knowledge.flags]
    if mde:
        columns = [c for c in (MDE_COLUMNS[f] for f in knowledge.spec_event_fields) if c]
        time = "Timestamp"
    else:
        columns = ["TimeGenerated", *knowledge.spec_event_fields[1:]]
        time = "TimeGenerated"
    return [
        f"| extend {knowledge.score_field} = {weighted_sum(knowledge)}",
        f"| project {', '.join([*columns, *flags, knowledge.score_field])}",
        f"| sort by {time} desc",
    ]


def _extend_fields(fields: tuple[str, ...]) -> str:
    pairs = ", ".join(f"{identifier(f)} = tostring(Sysmon.{f})" for f in fields)
    return f"| extend {pairs}"


def _mde_column(field: str) -> str:
    column = MDE_COLUMNS.get(field)
    if column is None:
        raise ExportError(f"flag field {field!r} has no DeviceNetworkEvents column to read")
    return column


def _where_any(tests: list[str]) -> str:
    return "| where " + ("\n    or ".join(tests) if tests else "false")
