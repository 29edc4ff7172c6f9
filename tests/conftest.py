"""Shared fixtures: the recorded attack telemetry in ../shared/datasets, when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: no per-example deadline (a loaded CI machine is slow, not wrong), and in CI a
# fixed example sequence, so that a run is reproducible; locally each run explores afresh.
settings.register_profile("c2hunt", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("c2hunt"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "c2hunt")

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared datasets folder; tests using it skip, saying why, when it is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"shared datasets not found at {DATASETS} (they are not shipped with c2hunt)")
    return DATASETS
