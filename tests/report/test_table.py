from __future__ import annotations

import pytest

from c2hunt.report.table import shorten

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
