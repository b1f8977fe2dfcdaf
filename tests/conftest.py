"""Shared fixtures: every test gets its own home, data dir, cache and workspace, and a plain
(uncoloured) terminal. Nothing a test does may touch the real user's folders: the session
fails if the real rnnprep data or cache folder changed while it ran."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_BANK = FIXTURES / "banks" / "sample.yaml"
XDG = ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")


def _real_folders() -> list[Path]:
    """Where rnnprep would keep the real user's data and cache (computed before any test)."""
    from platformdirs import user_cache_path, user_data_path

    return [user_data_path("rnnprep", appauthor=False), user_cache_path("rnnprep", appauthor=False)]


def _snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its size and mtime."""
    found: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                stat = path.stat()
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
        elif folder.exists():
            found[str(folder)] = (folder.stat().st_size, folder.stat().st_mtime_ns)
    return found


REAL_FOLDERS = _real_folders()
BEFORE = _snapshot(REAL_FOLDERS)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that left anything in the real user's rnnprep folders fails, whatever else passed."""
    changed = sorted(set(_snapshot(REAL_FOLDERS).items()) ^ set(BEFORE.items()))
    if changed:
        session.exitstatus = 1
        names = ", ".join(sorted({path for path, _ in changed})[:5])
        print(f"\nThe test run wrote into the real user's rnnprep folders: {names}")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, the XDG folders, RNNPREP_HOME and the cache all point into the test's temp dir."""
    home = tmp_path / "rnnprep-home"
    user = tmp_path / "user-home"
    monkeypatch.setenv("HOME", str(user))
    for name in XDG:
        monkeypatch.setenv(name, str(user / name.lower()))
    monkeypatch.setenv("RNNPREP_HOME", str(home))
    monkeypatch.delenv("RNNPREP_CACHE", raising=False)
    monkeypatch.delenv("RNNPREP_WORKSPACE", raising=False)
    monkeypatch.delenv("RNNPREP_KATAS", raising=False)
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
