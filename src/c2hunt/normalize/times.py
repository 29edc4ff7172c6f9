"""Event and collector times as milliseconds since the epoch, UTC.

Windows telemetry writes times in many spellings: Sysmon's `2020-10-18 02:17:12.527`, EVTX's
`2019-07-29T21:32:55.583667Z` (up to 7 fractional digits), NXLog's `2020-08-01 05:46:46`, ISO
with an offset, and epoch numbers (Sumo Logic's `_messagetime` in ms). A time without a zone is
taken as UTC, which is what Sysmon and EVTX write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# Epoch numbers above this are milliseconds, below it seconds (year 2286 in seconds).
_MS_THRESHOLD = 10_000_000_000


def to_epoch_ms(value: object) -> int | None:
    """Milliseconds since the epoch for a time string or epoch number; None if unparseable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _number_to_ms(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return _number_to_ms(int(text))
    return _iso_to_ms(text)


def _number_to_ms(number: float) -> int | None:
    if number != number or abs(number) > 1e17:  # NaN or absurd
        return None
    return int(number) if abs(number) >= _MS_THRESHOLD else int(number * 1000)


def _iso_to_ms(text: str) -> int | None:
    try:
        parsed: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        parsed = _retry_with_short_fraction(text)
    if parsed is None:
        return None
    moment = parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return (moment - _EPOCH) // _MS
    except OverflowError:
        return None


def _retry_with_short_fraction(text: str) -> datetime | None:
    """Cut a fraction longer than 6 digits (Windows writes 7) and drop a trailing ' UTC'."""
    text = text.removesuffix(" UTC")
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)] + rest[digits:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
