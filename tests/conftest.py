"""Shared fixtures: every test gets its own data dir, workspace and a plain (uncoloured) terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_BANK = FIXTURES / "banks" / "sample.yaml"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RNNPREP_HOME at a temp dir so no test touches the user's real progress."""
    home = tmp_path / "rnnprep-home"
    monkeypatch.setenv("RNNPREP_HOME", str(home))
    monkeypatch.delenv("RNNPREP_WORKSPACE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.fixture
def sample_bank() -> Path:
    """A small bank with one question of every type."""
    return SAMPLE_BANK
