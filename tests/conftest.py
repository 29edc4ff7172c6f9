"""Shared fixtures: the recorded attack telemetry in ../shared/datasets, when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The shared datasets folder; tests using it skip, saying why, when it is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"shared datasets not found at {DATASETS} (they are not shipped with c2hunt)")
    return DATASETS
