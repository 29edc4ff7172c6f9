"""The terminal tables of a hunt: cases ranked by score, or findings newest first.

Severity is visible and styled; long command lines are shortened around the destination's name
so that the URL stays in view.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from c2hunt.report.model import HuntReport
from c2hunt.report.sanitize import for_terminal
from c2hunt.score import Finding, Severity
from c2hunt.score.cases import Case

COMMAND_WIDTH = 90
# Narrower in the case table, which has more columns.
CASE_COMMAND_WIDTH = 60
# Process ids listed in a case's process cell before "…".
_MAX_PIDS = 3
# Width of the table in a file or pipe when COLUMNS does not say.
_FILE_WIDTH = 200
_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


def shorten(text: str, keep: str | None, width: int = COMMAND_WIDTH) -> str:
    """`text` cut to `width` characters around the first occurrence of `keep` (e.g. the host)."""
    if len(text) <= width:
        return text
    at = text.lower().find(keep.lower()) if keep else -1
    if at < 0:
        return text[: width - 1] + "…"
    start = max(0, min(at - (width - len(keep or "")) // 3, len(text) - width))
    cut = text[start : start + width]
    if start > 0:
        cut = "…" + cut[1:]
    if start + width < len(text):
        cut = cut[:-1] + "…"
    return cut


def _time(ms: int | None, digits: int = 3) -> str:
    """UTC time with `digits` decimals of seconds (0 to 3)."""
    if ms is None:
        return "?"
    text = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return text[: 20 + digits] if digits else text[:19]


def _cell(value: object, style: str = "") -> Text:
    return Text(for_terminal("" if value is None else str(value)), style=style)


def _severity(level: Severity | None) -> Text:
    return _cell(level or "-", _STYLES.get(level, "") if level else "")


def _flags(finding: Finding, flags: Sequence[str]) -> str:
    names = [name for name in flags if finding.fields.get(name)]
    return ", ".join(n.removeprefix("is_") for n in names) or "-"


def _file_name(image: str | None) -> str:
    return (image or "?").replace("/", "\\").rsplit("\\", 1)[-1]


def _image(finding: Finding) -> str:
    """The image's file name, and the PID when the event has one."""
    pid = finding["ProcessId"]
    return _file_name(finding["Image"]) + ("" if pid is None else f" ({pid})")


def _destination(finding: Finding, profile: str) -> Text:
    name = finding["DestinationHostname"] if profile == "spec" else finding["dest_name"]
    cell = _cell(f"{name or '?'} ({finding['DestinationIp']}:{finding['DestinationPort']})")
    if profile != "spec":
        cell.append("\n").append(_cell(f"via {finding['dest_source']}", "dim"))
    return cell


def build_table(report: HuntReport) -> Table:
    findings, profile = report.findings, report.profile
    flags = [flag.name for flag in report.knowledge.flags]
    table = Table(title=f"c2hunt: {len(findings)} finding(s), profile {profile}", show_lines=True)
    for name in ("time (UTC)", "severity", "host", "process", "destination", "service", "flags"):
        table.add_column(name, overflow="fold")
    table.add_column("command line", overflow="fold", max_width=COMMAND_WIDTH)
    for f in findings:
        keep = f["dest_name"] or f["DestinationHostname"]
        table.add_row(
            _cell(_time(f["_messageTime"])),
            _severity(f.severity),
            _cell(f["Computer"]),
            _cell(_image(f)),
            _destination(f, profile),
            _cell(f["service"] or "-"),
            _cell(_flags(f, flags)),
            _cell(shorten(f["CommandLine"] or "-", keep)),
        )
    return table


def _case_process(case: Case) -> Text:
    """Host; image file name (PIDs); the ProcessGuid, or how the case was keyed."""
    pids = [str(p) for p in case.process_ids[:_MAX_PIDS]]
    more = ", …" if len(case.process_ids) > _MAX_PIDS else ""
    cell = _cell(case.computer or "?").append("\n")
    cell.append(_cell(_file_name(case.image) + (f" ({', '.join(pids)}{more})" if pids else "")))
    if case.original_file_name and _file_name(case.image).lower() != (
        case.original_file_name.lower()
    ):
        cell.append(_cell(f" is {case.original_file_name}", "bold"))
    anonymous = case.process.startswith("image:")
    key = "no GUID: by image" if anonymous else case.process
    return cell.append("\n").append(_cell(key, "dim"))


def _case_services(case: Case) -> Text:
    cell = _cell(", ".join(case.services) or "-")
    return cell.append("\n").append(_cell(", ".join(case.destinations), "dim"))


def _case_seen(case: Case) -> Text:
    first, last = _time(case.first_seen, 0), _time(case.last_seen, 0)
    return _cell(first) if first == last else _cell(first).append("\n").append(_cell(last))


def build_case_table(report: HuntReport) -> Table:
    cases = report.cases or ()
    title = (
        f"c2hunt: {len(cases)} case(s) from {len(report.findings)} finding(s), "
        f"profile {report.profile}"
    )
    table = Table(title=title, show_lines=True)
    table.add_column("score", no_wrap=True)
    table.add_column("host / process", overflow="fold")
    table.add_column("services", overflow="fold")
    table.add_column("conn.", no_wrap=True, justify="right")
    for name in ("seen (UTC)", "signals"):
        table.add_column(name, no_wrap=True)
    table.add_column("command line", overflow="fold", max_width=CASE_COMMAND_WIDTH)
    for c in cases:
        keep = c.destinations[0] if c.destinations else None
        table.add_row(
            _case_score(c),
            _case_process(c),
            _case_services(c),
            _cell(c.connections),
            _case_seen(c),
            _lines([s.signal for s in c.signals]),
            _cell(shorten(c.command_line or "-", keep, CASE_COMMAND_WIDTH)),
        )
    return table


def _lines(values: Sequence[str]) -> Text:
    """One sanitized value per line (a real line break; the values' own are escaped)."""
    return Text("\n").join(_cell(v) for v in values) if values else _cell("-")


def _case_score(case: Case) -> Text:
    """The score, then the severity it gives, styled."""
    return _cell(case.risk_score).append(" ").append(_severity(case.severity))


def _console(out: TextIO) -> Console:
    """A terminal's own width; in a file or pipe COLUMNS, else a wide fixed width, no colour."""
    wide = out.isatty() or os.environ.get("COLUMNS", "").isdigit()
    return Console(file=out, highlight=False, width=None if wide else _FILE_WIDTH)


def write_table(report: HuntReport, out: TextIO) -> None:
    """The findings table: rich on a terminal, the same without colour in a file or pipe."""
    _console(out).print(build_table(report))


def write_case_table(report: HuntReport, out: TextIO) -> None:
    """The cases table: one row per case, highest score first."""
    _console(out).print(build_case_table(report))
