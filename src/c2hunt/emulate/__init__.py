"""Adversary emulation: the specification's four tests inside a benign working day.

`simulate(seed)` builds the telemetry deterministically (one seeded `random.Random`, no global
state): the four tests of the spec's "Testing Methodology", two evidence-source scenarios (a
BITS download, a connection only Security 5156 records), a benign baseline on three office
workstations, and the spec's three false-positive families. `write(simulation, out, fmt)`
writes it as Windows exports it, plus `manifest.json`, the ground truth `c2hunt validate` uses.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from c2hunt.emulate.adversary import TESTS
from c2hunt.emulate.automation import FAMILIES
from c2hunt.emulate.baseline import baseline, update_jobs
from c2hunt.emulate.model import Process, WinEvent
from c2hunt.emulate.sources import SOURCES
from c2hunt.emulate.world import Scenario, World
from c2hunt.emulate.writers import FORMATS, write_events
from c2hunt.errors import InputError
from c2hunt.knowledge import Knowledge, packaged

__all__ = [
    "FORMATS",
    "LOGS",
    "MANIFEST",
    "Scenario",
    "Simulation",
    "manifest_files",
    "read_manifest",
    "simulate",
    "write",
]

MANIFEST = "manifest.json"
# The telemetry goes into this folder below the output directory and the manifest beside it,
# so that `c2hunt hunt OUT/logs` reads the telemetry and nothing else.
LOGS = "logs"
DEFAULT_START = datetime(2024, 5, 14, 7, 30, tzinfo=UTC)
HOURS = 6.0


@dataclass(frozen=True, slots=True)
class Simulation:
    seed: int
    events: tuple[WinEvent, ...]
    processes: tuple[Process, ...]
    roots: frozenset[str]  # ProcessGuids started before the window, parents unseen
    scenarios: tuple[Scenario, ...]


def _number_records(events: list[WinEvent], rng: random.Random) -> None:
    """EventRecordIDs rise with time within each host's channel, from a random first number."""
    events.sort(key=lambda e: (e.computer, e.channel, e.time))
    first: dict[tuple[str, str], int] = {}
    for event in events:
        key = (event.computer, event.channel)
        first[key] = first.get(key, rng.randint(1_000, 400_000)) + 1
        event.record_id = first[key]


def simulate(
    seed: int = 1102, knowledge: Knowledge | None = None, start: datetime = DEFAULT_START
) -> Simulation:
    """All scenarios' telemetry for `seed`; the same seed always gives the same events."""
    rng = random.Random(seed)
    world = World(rng, knowledge or packaged(), start, HOURS)
    benign = baseline(world)
    tests = [test(world) for test in TESTS]
    families = [family(world) for family in FAMILIES]
    # Added later than the rest: generated last, so the earlier scenarios' draws are unchanged.
    update_jobs(world)
    sources = [source(world) for source in SOURCES]
    scenarios = [benign, *tests, *sources, *families]
    events = [event for host in world.hosts.values() for event in host.events]
    _number_records(events, rng)
    return Simulation(
        seed=seed,
        events=tuple(events),
        processes=tuple(p for host in world.hosts.values() for p in host.processes),
        roots=frozenset(g for host in world.hosts.values() for g in host.roots),
        scenarios=tuple(scenarios),
    )


def manifest(simulation: Simulation, fmt: str, files: list[Path]) -> dict[str, Any]:
    """The ground truth written next to the telemetry."""
    return {
        "seed": simulation.seed,
        "format": fmt,
        "events": len(simulation.events),
        "files": [f"{LOGS}/{f.name}" for f in files],
        "scenarios": [asdict(s) for s in simulation.scenarios],
    }


def write(simulation: Simulation, out: Path, fmt: str = "xml") -> Path:
    """Write the telemetry into `out/logs` and `manifest.json` into `out`; the manifest's path."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", str(out))
    try:
        (out / LOGS).mkdir(parents=True, exist_ok=True)
        files = write_events(list(simulation.events), out / LOGS, fmt)
        path = out / MANIFEST
        path.write_bytes(orjson.dumps(manifest(simulation, fmt, files), option=orjson.OPT_INDENT_2))
    except OSError as exc:
        raise InputError(f"cannot write the simulation: {exc}", str(out)) from None
    return path


def _scenario(data: dict[str, Any]) -> Scenario:
    return Scenario(
        name=str(data["name"]),
        kind=str(data["kind"]),
        title=str(data["title"]),
        computers=tuple(data["computers"]),
        process_guids=tuple(data["process_guids"]),
        destinations=tuple(data["destinations"]),
        signals=tuple(data["signals"]),
        suppression=data["suppression"],
        finding_sources=tuple(data.get("finding_sources", ())),
    )


def read_manifest(path: Path) -> tuple[Scenario, ...]:
    """The scenarios of a manifest written by `write`."""
    try:
        return tuple(_scenario(s) for s in orjson.loads(path.read_bytes())["scenarios"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"not a c2hunt simulation manifest: {exc}", str(path)) from None


def manifest_files(path: Path) -> list[Path]:
    """The telemetry files a manifest written by `write` lists, as paths."""
    try:
        names = orjson.loads(path.read_bytes())["files"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"not a c2hunt simulation manifest: {exc}", str(path)) from None
    return [path.parent / name for name in names]
