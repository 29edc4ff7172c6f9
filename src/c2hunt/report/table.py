"""The terminal table of a hunt: newest first, severity visible, command lines shortened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from c2hunt.report.sanitize import for_terminal
from c2hunt.score import Finding, Severity

COMMAND_WIDTH = 90
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


def _time(ms: int | None) -> str:
    if ms is None:
        return "?"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _cell(value: object, style: str = "") -> Text:
    return Text(for_terminal("" if value is None else str(value)), style=style)


def _flags(finding: Finding) -> str:
    names = [n for n in ("is_encoded", "is_office_parent", "is_service_spawn") if finding[n]]
    return ", ".join(n.removeprefix("is_") for n in names) or "-"


def _image(finding: Finding) -> str:
    image = finding["Image"] or "?"
    return image.replace("/", "\\").rsplit("\\", 1)[-1] + f" ({finding['ProcessId']})"


def _destination(finding: Finding, profile: str) -> Text:
    name = finding["DestinationHostname"] if profile == "spec" else finding["dest_name"]
    cell = _cell(f"{name or '?'} ({finding['DestinationIp']}:{finding['DestinationPort']})")
    if profile != "spec":
        cell.append("\n").append(_cell(f"via {finding['dest_source']}", "dim"))
    return cell


def build_table(findings: Sequence[Finding], profile: str) -> Table:
    table = Table(title=f"c2hunt: {len(findings)} finding(s), profile {profile}", show_lines=True)
    for name in ("time (UTC)", "severity", "host", "process", "destination", "service", "flags"):
        table.add_column(name, overflow="fold")
    table.add_column("command line", overflow="fold", max_width=COMMAND_WIDTH)
    for f in findings:
        level = f.severity
        keep = f["dest_name"] or f["DestinationHostname"]
        table.add_row(
            _cell(_time(f["_messageTime"])),
            _cell(level or "-", _STYLES.get(level, "") if level else ""),
            _cell(f["Computer"]),
            _cell(_image(f)),
            _destination(f, profile),
            _cell(f["service"] or "-"),
            _cell(_flags(f)),
            _cell(shorten(f["CommandLine"] or "-", keep)),
        )
    return table


def write_table(findings: Sequence[Finding], profile: str, out: TextIO) -> None:
    """Rich table on a terminal; the same table without colour in a file or pipe."""
    console = Console(file=out, highlight=False, width=None if out.isatty() else 200)
    console.print(build_table(findings, profile))
