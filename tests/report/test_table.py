from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rich.console import Console
from rich.table import Table

from c2hunt.detect.testing import connection, sysmon
from c2hunt.report import HuntReport
from c2hunt.report.table import build_case_table, build_table, shorten

ZERO = "{00000000-0000-0000-0000-000000000000}"
CURL = r"C:\x\curl.exe"
MakeReport = Callable[..., HuntReport]


# curl {P} reaches Pastebin twice (one case); curl {Q} reaches GitHub once (another).
ROWS = [
    sysmon(
        1, ProcessGuid="{P}", ProcessId=4, Image=CURL, CommandLine="curl https://pastebin.com/a"
    ),
    connection("{P}", 4, "pastebin.com", 1),
    connection("{P}", 4, "pastebin.com", 2),
    sysmon(1, ProcessGuid="{Q}", ProcessId=5, Image=CURL, CommandLine="curl https://github.com"),
    connection("{Q}", 5, "github.com", 3),
]

URL = "https://raw.githubusercontent.com/op7ic/EDR-Testing-Script/master/Payloads/CradleTest.txt"


@pytest.mark.parametrize("width", [40, 60, 90])
def test_shorten_keeps_the_destination_in_view(width: int) -> None:
    text = "powershell -c " + "A" * 200 + f" DownloadFile('{URL}') " + "B" * 200
    short = shorten(text, "raw.githubusercontent.com", width)
    assert len(short) == width
    assert "raw.githubusercontent.com" in short
    assert short.startswith("…") and short.endswith("…")


def test_shorten_leaves_short_text_alone() -> None:
    assert shorten("curl x", "x", 90) == "curl x"


def test_shorten_without_the_name_cuts_the_end() -> None:
    assert shorten("a" * 100, "zzz", 10) == "a" * 9 + "…"


def rendered(table: Table, width: int = 99) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(table)
    return [line.rstrip() for line in console.export_text().splitlines()]


CASE_TABLE = """\
                       c2hunt: 2 case(s) from 3 finding(s), profile precise
┏━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃          ┃ host /    ┃          ┃       ┃                     ┃                     ┃ command   ┃
┃ score    ┃ process   ┃ services ┃ conn. ┃ seen (UTC)          ┃ signals             ┃ line      ┃
┡━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ 5 medium │ HOST      │ Pastebin │     2 │ 1970-01-01 00:16:41 │ service_category    │ curl      │
│          │ curl.exe  │ pastebin │       │ 1970-01-01 00:16:42 │ listed_binary       │ https://p │
│          │ (4)       │ .com     │       │                     │ url_in_command_line │ astebin.c │
│          │ p         │          │       │                     │                     │ om/a      │
├──────────┼───────────┼──────────┼───────┼─────────────────────┼─────────────────────┼───────────┤
│ 4 medium │ HOST      │ GitHub   │     1 │ 1970-01-01 00:16:43 │ service_category    │ curl      │
│          │ curl.exe  │ github.c │       │                     │ listed_binary       │ https://g │
│          │ (5)       │ om       │       │                     │ url_in_command_line │ ithub.com │
│          │ q         │          │       │                     │                     │           │
└──────────┴───────────┴──────────┴───────┴─────────────────────┴─────────────────────┴───────────┘"""


def test_case_table_one_row_per_case_ranked_by_score(make_report: MakeReport) -> None:
    report = make_report(ROWS)
    assert report.cases is not None
    table = build_case_table(report)
    assert rendered(table) == CASE_TABLE.splitlines()


def test_case_table_of_an_anonymous_process_says_how_it_was_keyed(
    make_report: MakeReport,
) -> None:
    rows = [connection(ZERO, 30, "github.com", 1, r"C:\w\mshta.exe")]
    report = make_report(rows)
    assert report.cases is not None
    lines = rendered(build_case_table(report), 160)
    assert [line.split("│")[2].strip() for line in lines[4:7]] == [
        "HOST",
        "mshta.exe (30)",
        "no GUID: by image",
    ]


def test_findings_table_without_a_pid_shows_the_image_alone(make_report: MakeReport) -> None:
    report = make_report([connection("{N}", None, "github.com", 1)])
    lines = rendered(build_table(report), 160)
    assert lines[4].split("│")[4].strip() == "curl.exe"
    assert "None" not in "\n".join(lines)


def test_case_table_names_a_renamed_binary_by_its_pe_name(make_report: MakeReport) -> None:
    rows = [
        sysmon(1, ProcessGuid="{R}", ProcessId=40, Image=r"C:\u\msupdate.exe",
               OriginalFileName="PowerShell.EXE", CommandLine="msupdate -enc SQBFAFgA"),
        connection("{R}", 40, "discord.com", 1, r"C:\u\msupdate.exe"),
    ]  # fmt: skip
    report = make_report(rows)
    assert report.cases is not None
    lines = rendered(build_case_table(report), 160)
    assert lines[5].split("│")[2].strip() == "msupdate.exe (40) is PowerShell.EXE"
