"""rnnprep.kata.workspace: resolving the user's file, start without overwriting, reset with backup."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import datetime

import pytest

from rnnprep import registry
from rnnprep.errors import RnnprepError
from rnnprep.kata import workspace
from rnnprep.registry import Kata


@pytest.fixture
def lstm() -> Kata:
    return registry.get("lstm")


def test_workspace_resolution_order(tmp_path, monkeypatch, lstm):
    monkeypatch.chdir(tmp_path)
    assert workspace.user_file(lstm) == tmp_path / "katas" / "lstm" / "lstm.py"
    monkeypatch.setenv("RNNPREP_WORKSPACE", str(tmp_path / "env"))
    assert workspace.user_file(lstm) == tmp_path / "env" / "katas" / "lstm" / "lstm.py"
    assert workspace.user_file(lstm, tmp_path / "opt") == tmp_path / "opt" / "katas" / "lstm" / "lstm.py"
    assert workspace.user_file(lstm, tmp_path / "opt", tmp_path / "mine.py") == tmp_path / "mine.py"


def test_missing_file_error_says_how_to_start(tmp_path, lstm):
    with pytest.raises(RnnprepError, match="rnnprep kata start lstm"):
        workspace.existing_user_file(lstm, tmp_path)
    with pytest.raises(RnnprepError, match="--file"):
        workspace.existing_user_file(lstm, tmp_path, tmp_path / "nope.py")


def test_start_copies_starter_and_readme(tmp_path, lstm):
    report = workspace.start(lstm, tmp_path)
    target = tmp_path / "katas" / "lstm"
    assert sorted(report.copied) == sorted([target / "lstm.py", target / "README.md"])
    assert (target / "lstm.py").read_text() == lstm.starter.read_text()
    assert workspace.existing_user_file(lstm, tmp_path) == target / "lstm.py"


def test_start_never_overwrites_work(tmp_path, lstm):
    workspace.start(lstm, tmp_path)
    mine = tmp_path / "katas" / "lstm" / "lstm.py"
    mine.write_text("my work\n")
    report = workspace.start(lstm, tmp_path)
    assert mine.read_text() == "my work\n"
    assert mine in report.kept
    assert report.copied == []


def test_start_in_the_checkout_itself_keeps_the_files(lstm):
    checkout = lstm.folder.parent.parent
    report = workspace.start(lstm, checkout)
    assert report.copied == []
    assert lstm.starter in report.kept or any(p.samefile(lstm.starter) for p in report.kept)


def test_reset_backs_up_then_restores(tmp_path, lstm):
    workspace.start(lstm, tmp_path)
    mine = tmp_path / "katas" / "lstm" / "lstm.py"
    mine.write_text("attempt 1\n")
    now = datetime(2025, 1, 2, 3, 4, 5)
    first = workspace.reset(lstm, mine, now)
    assert first == mine.with_name("lstm.py.bak-20250102-030405")
    assert first.read_text() == "attempt 1\n"
    assert mine.read_text() == lstm.starter.read_text()
    mine.write_text("attempt 2\n")
    second = workspace.reset(lstm, mine, now)  # same second: a fresh name, nothing overwritten
    assert second != first and second.read_text() == "attempt 2\n"
    assert first.read_text() == "attempt 1\n"


def test_reset_without_a_file_just_writes_the_starter(tmp_path, lstm):
    target = tmp_path / "katas" / "lstm" / "lstm.py"
    assert workspace.reset(lstm, target) is None
    assert target.read_text() == lstm.starter.read_text()


def test_pristine_starter_comes_from_git_in_a_checkout(tmp_path, lstm):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = tmp_path / "clone"
    (root / "katas" / "lstm").mkdir(parents=True)
    starter = root / "katas" / "lstm" / "lstm.py"
    starter.write_text("committed starter\n")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "starter"], cwd=root, check=True)
    starter.write_text("my work in place\n")
    kata = dataclasses.replace(lstm, folder=root / "katas" / "lstm")
    backup = workspace.reset(kata, starter)
    assert starter.read_text() == "committed starter\n"
    assert backup is not None and backup.read_text() == "my work in place\n"
