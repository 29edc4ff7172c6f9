"""Validation: simulate, read back, hunt, and check every scenario against its ground truth.

Each test and evidence-source scenario must be reported with the signals its ground truth
names; the benign baseline must
report nothing; each false-positive family must be reported without tuning and be silent with
the packaged example tuning (`c2hunt/tune/examples.yaml`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from c2hunt.detect import Engine
from c2hunt.emulate import MANIFEST, manifest_files, read_manifest, simulate, write
from c2hunt.emulate.world import Scenario
from c2hunt.errors import InputError
from c2hunt.knowledge import Knowledge, packaged
from c2hunt.read import read_events
from c2hunt.tune import EXAMPLES, apply_tuning, load_tuning

# Signals every finding carries; the matrix shows the others.
_COMMON = ("listed_binary", "service_category")


@dataclass(frozen=True, slots=True)
class Check:
    """One row of the validation matrix."""

    scenario: str
    kind: str
    expected: str
    found: str
    score: int | None
    severity: str | None
    ok: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    guid: str
    computer: str
    signals: frozenset[str]
    score: int
    severity: str
    suppressed_by: str | None
    dest_source: str


def guid_key(guid: str) -> str:
    return guid.strip("{} ").upper()


def _hits(engine: Engine) -> list[_Hit]:
    rows = engine.con.execute(
        """
        SELECT upper(trim(coalesce(f.ProcessGuid, ''), '{} ')), f.Computer,
               list(s.signal) FILTER (WHERE s.signal IS NOT NULL), f.risk_score, f.severity,
               f.suppressed_by, coalesce(f.dest_source, '')
        FROM findings f LEFT JOIN signals s USING (finding_id)
        GROUP BY f.finding_id, f.ProcessGuid, f.Computer, f.risk_score, f.severity,
                 f.suppressed_by, f.dest_source
        """
    ).fetchall()
    return [
        _Hit(g, c, frozenset(s or ()), int(r or 0), str(v), t, d) for g, c, s, r, v, t, d in rows
    ]


def _test_check(scenario: Scenario, hits: list[_Hit]) -> Check:
    guids = {guid_key(g) for g in scenario.process_guids}
    mine = [h for h in hits if h.guid in guids]
    reported = {h.guid for h in mine if h.suppressed_by is None}
    found = frozenset().union(*(h.signals for h in mine)) - set(_COMMON)
    per_process = all(
        set(scenario.signals) <= frozenset().union(*(h.signals for h in mine if h.guid == g))
        for g in guids
    )
    sources = sorted({h.dest_source for h in mine})
    from_expected = not scenario.finding_sources or set(sources) <= set(scenario.finding_sources)
    best = max(mine, key=lambda h: h.score, default=None)
    via = f" from {', '.join(sources)}" if scenario.finding_sources else ""
    expected = ", ".join(scenario.signals)
    if scenario.finding_sources:
        expected += f" (from {', '.join(scenario.finding_sources)})"
    return Check(
        scenario.name,
        scenario.kind,
        expected,
        f"{len(mine)} finding(s){via}: " + (", ".join(sorted(found)) or "no signals")
        if mine
        else "missed",
        best.score if best else None,
        best.severity if best else None,
        reported == guids and per_process and from_expected,
    )


def _baseline_check(scenario: Scenario, hits: list[_Hit], actors: set[str]) -> Check:
    stray = [h for h in hits if h.guid not in actors]
    found = f"{len(stray)} stray finding(s) on {sorted({h.computer for h in stray})}"
    return Check(
        scenario.name,
        scenario.kind,
        "nothing reported",
        found if stray else "nothing reported",
        None,
        None,
        not stray,
    )


def _family_check(scenario: Scenario, untuned: list[_Hit], tuned: list[_Hit]) -> Check:
    guids = {guid_key(g) for g in scenario.process_guids}
    before = [h for h in untuned if h.guid in guids]
    after = [h for h in tuned if h.guid in guids]
    silenced = [h for h in after if h.suppressed_by == scenario.suppression]
    best = max(before, key=lambda h: h.score, default=None)
    return Check(
        scenario.name,
        scenario.kind,
        f"reported untuned; silent with '{scenario.suppression}'",
        f"{len({h.guid for h in before})}/{len(guids)} processes reported untuned; "
        f"{len(silenced)}/{len(after)} findings suppressed",
        best.score if best else None,
        best.severity if best else None,
        {h.guid for h in before} == guids and len(silenced) == len(after) > 0,
    )


def _hunt(files: list[Path], knowledge: Knowledge, tuning: Path | None, today: date) -> list[_Hit]:
    with Engine(knowledge) as engine:
        stream = read_events(files)
        engine.load(stream)
        engine.detect()
        engine.con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS suppressed_by VARCHAR")
        if tuning is not None:
            apply_tuning(engine.con, load_tuning(tuning), today)
        rejected = stream.stats.records_rejected
        if rejected:
            raise InputError(
                f"the readers rejected {rejected} simulated records", str(files[0].parent)
            )
        return _hits(engine)


def validate(
    workdir: Path,
    seed: int = 1102,
    fmt: str = "xml",
    tuning: Path = EXAMPLES,
    today: date | None = None,
) -> list[Check]:
    """Simulate into `workdir`, hunt it with and without `tuning`, and check each scenario."""
    write(simulate(seed), workdir, fmt)
    scenarios = read_manifest(workdir / MANIFEST)
    files = manifest_files(workdir / MANIFEST)
    knowledge = packaged()
    untuned = _hunt(files, knowledge, None, today or date.today())
    tuned = _hunt(files, knowledge, tuning, today or date.today())
    actors = {guid_key(g) for s in scenarios for g in s.process_guids}
    checks = []
    for scenario in scenarios:
        if scenario.kind in ("test", "source"):
            checks.append(_test_check(scenario, tuned))
        elif scenario.kind == "baseline":
            checks.append(_baseline_check(scenario, untuned, actors))
        else:
            checks.append(_family_check(scenario, untuned, tuned))
    return checks
