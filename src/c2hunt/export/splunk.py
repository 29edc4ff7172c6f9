"""Splunk SPL over the Splunk Add-on for Sysmon's fields (`EventCode`, `Image`, ...).

`spec` is one search over EventCode 3 with the specification's semantics: lower-cased values,
substring host patterns, suffix image patterns, and the flags as the literal patterns Sumo
Logic applies to the specification's text. `precise` is the same search with names on label
boundaries, image file names or OriginalFileName and real regex flags, plus a variant that
joins EventCode 1 by ProcessGuid to read the command line and parent the flags need.
"""

from __future__ import annotations

from c2hunt.knowledge import Flag, Knowledge

from .common import (
    Document,
    domain_regex,
    header_lines,
    images,
    original_file_names,
    spec_flag_pattern,
    spec_host_patterns,
    spec_image_patterns,
    weighted_sum,
)
from .escape import backslash_string, identifier

SOURCE = 'index=* source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"'
# Fields of the process creation event (EventCode 1) the joined variant brings in.
PROCESS_FIELDS = ("CommandLine", "ParentImage", "ParentCommandLine", "OriginalFileName")
FILE_NAME = r'replace(Image, "^.*[\\\\/]", "")'


def render(knowledge: Knowledge, profile: str) -> tuple[Document, ...]:
    if profile == "spec":
        return (_document(knowledge, profile, "network", _spec_search(knowledge)),)
    return (
        _document(knowledge, profile, "network", _precise_search(knowledge)),
        _document(knowledge, profile, "joined", _joined_search(knowledge)),
    )


def _document(knowledge: Knowledge, profile: str, variant: str, lines: list[str]) -> Document:
    titles = {
        ("spec", "network"): "the specification's semantics over EventCode 3",
        ("precise", "network"): "label-boundary names, file names, regex flags, EventCode 3",
        ("precise", "joined"): "as precise, joined to EventCode 1 by ProcessGuid for the flags",
    }
    header = header_lines(knowledge, "splunk", profile, titles[profile, variant])
    comment = "```\n" + "\n".join(header).replace("`", "'") + "\n```\n"
    name = f"c2hunt-t1102.003-{profile}-{variant}.spl"
    return Document(name, comment + "\n".join(lines) + "\n")


def _spec_search(knowledge: Knowledge) -> list[str]:
    hosts = [f"match(dest_host, {_s(p.regex())})" for p in spec_host_patterns(knowledge)]
    procs = [f"match(proc_image, {_s(p.regex())})" for p in spec_image_patterns(knowledge)]
    return [
        f"{SOURCE} EventCode=3",
        "| eval dest_host=lower(DestinationHostname), proc_image=lower(Image)",
        _where_any(hosts),
        _where_any(procs),
        *(_flag_eval(f, spec=True) for f in knowledge.flags),
        *_tail(knowledge),
    ]


def _precise_search(knowledge: Knowledge) -> list[str]:
    return [
        f"{SOURCE} EventCode=3",
        *_host_filter(knowledge),
        *_image_filter(knowledge),
        *(_flag_eval(f, spec=False) for f in knowledge.flags),
        *_tail(knowledge),
    ]


def _joined_search(knowledge: Knowledge) -> list[str]:
    fields = ", ".join(("ProcessGuid", *PROCESS_FIELDS))
    return [
        f"{SOURCE} EventCode=3",
        *_host_filter(knowledge),
        "| join type=left max=1 ProcessGuid",
        f"    [search {SOURCE} EventCode=1 | fields {fields}]",
        *_image_filter(knowledge),
        *(_flag_eval(f, spec=False) for f in knowledge.flags),
        *_tail(knowledge),
    ]


def _host_filter(knowledge: Knowledge) -> list[str]:
    """The destination is a listed domain or a name below it (label boundary)."""
    return [
        "| eval dest_host=lower(DestinationHostname)",
        f"| where match(dest_host, {_s(domain_regex(knowledge))})",
    ]


def _image_filter(knowledge: Knowledge) -> list[str]:
    """The image's file name, or its OriginalFileName, is a listed binary's (any case)."""
    names = ", ".join(_s(i) for i in images(knowledge))
    originals = ", ".join(_s(n) for n in original_file_names(knowledge))
    return [
        f'| eval proc_name=lower({FILE_NAME}), proc_original=lower(coalesce(OriginalFileName, ""))',
        f"| where in(proc_name, {names})\n  OR in(proc_original, {originals})",
    ]


def _flag_eval(flag: Flag, spec: bool) -> str:
    pattern = spec_flag_pattern(flag) if spec else None
    if spec and pattern is None:
        return f"| eval {identifier(flag.name)}=0"
    regex = pattern.regex() if pattern is not None else f"(?i)(?:{flag.regex})"
    test = f"match({identifier(flag.field)}, {_s(regex)})"
    return f"| eval {identifier(flag.name)}=if(isnotnull({flag.field}) AND {test}, 1, 0)"


def _tail(knowledge: Knowledge) -> list[str]:
    names = [identifier(f.name) for f in knowledge.flags]
    fields = ", ".join(["_time", *knowledge.spec_event_fields[1:], *names, knowledge.score_field])
    return [
        f"| eval {knowledge.score_field}={weighted_sum(knowledge, '+').replace(' ', '')}",
        f"| table {fields}",
        "| sort 0 - _time",
    ]


def _where_any(tests: list[str]) -> str:
    return "| where " + ("\n  OR ".join(tests) if tests else "false()")


def _s(text: str) -> str:
    return backslash_string(text)
