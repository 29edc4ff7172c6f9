from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from c2hunt.detect import SCORED_PROFILES, Engine
from c2hunt.knowledge import load
from c2hunt.normalize.schema import batch_from_rows
from c2hunt.report import HuntReport
from c2hunt.score.cases import build_cases

MakeReport = Callable[..., HuntReport]


def _hunt_report(rows: Sequence[Mapping[str, Any]], profile: str = "precise") -> HuntReport:
    """What `c2hunt hunt` reports on `rows`: findings and, when scored, cases."""
    knowledge = load()
    with Engine(knowledge) as engine:
        engine.load([batch_from_rows(rows)])
        findings = tuple(engine.detect(profile))
        scored = profile in SCORED_PROFILES
        cases = tuple(build_cases(engine.con, knowledge)) if scored else None
    return HuntReport(profile, findings, cases, knowledge)


@pytest.fixture
def make_report() -> MakeReport:
    return _hunt_report
