"""Bad input, one table: every case ends with a one-paragraph message that names the file or
option at fault and says what to do, a non-zero exit code, no traceback, and nothing lost.

Each case runs the real `rnnprep` command in a fresh process (exit codes and stderr as a user
sees them), with its own RNNPREP_HOME and workspace.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rnnprep.content import solutions_dir
from rnnprep.store import STORE_FILENAME, Store


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make a folder read-only for the duration: chmod for a user, a read-only bind mount for
    root (root ignores permissions)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only folder as root here (no bind mounts)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@dataclass
class Run:
    """A finished command."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class World:
    """The user's folders for one case."""

    home: Path
    workspace: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, input: str = "") -> Run:
        env = {**os.environ, "RNNPREP_HOME": str(self.home), "NO_COLOR": "1", **self.env}
        env.pop("RNNPREP_WORKSPACE", None) if "RNNPREP_WORKSPACE" not in self.env else None
        done = subprocess.run([sys.executable, "-m", "rnnprep", *args], capture_output=True, text=True,
                              input=input, cwd=self.workspace, env=env, timeout=120)  # fmt: skip
        return Run(done.returncode, done.stdout, done.stderr)

    def store_with_answers(self) -> Path:
        path = self.home / STORE_FILENAME
        with Store.open(path) as store:
            for n in range(40):
                store.record_review(f"q{n}", topic="rnn", rev=1, answer="x" * 200, correct=bool(n % 2), response_time=1.0)
        return path


@pytest.fixture
def world(tmp_path: Path) -> World:
    home, workspace = tmp_path / "home", tmp_path / "ws"
    workspace.mkdir()
    return World(home, workspace)


def damage(path: Path) -> None:
    """Keep the header, scribble over the pages after it (a disk error, a partial copy)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):
        data[start + 8: start + 400] = b"\xff" * 392
    path.write_bytes(bytes(data))


def one_paragraph(run: Run, *needles: str) -> None:
    """The shared promises: non-zero, the needles said, one paragraph, no traceback."""
    assert run.code != 0, run.text
    assert "Traceback" not in run.text, run.text
    for needle in needles:
        assert needle in run.text, (needle, run.text)


Case = Callable[[World], None]


def seed_negative(w: World) -> None:
    one_paragraph(w.run("kata", "lstm", "--check", "--seed", "-1"), "--seed", "-1")


def seed_too_big(w: World) -> None:
    one_paragraph(w.run("kata", "lstm", "--check", "--seed", "18446744073709551616"), "--seed")


def quiz_seed_negative(w: World) -> None:
    one_paragraph(w.run("quiz", "--seed", "-5"), "--seed")


def damaged_store_stats(w: World) -> None:
    damage(w.store_with_answers())
    run = w.run("stats")
    one_paragraph(run, "is damaged", "progress reset")
    assert run.code == 2


def damaged_store_quiz_asks_nothing(w: World) -> None:
    damage(w.store_with_answers())
    run = w.run("quiz", "--all", "-n", "1", input="a\n")
    one_paragraph(run, "is damaged", "progress reset")
    assert "[1/1]" not in run.text  # detected before the first question, so no answer is lost


def home_is_a_file(w: World) -> None:
    w.home.write_text("not a folder")
    run = w.run("quiz", "--all", "-n", "1", input="a\n")
    one_paragraph(run, str(w.home), "is a file", "RNNPREP_HOME")
    assert "progress reset" not in run.text  # advice that leads somewhere


def read_only_home_hint_still_shows(w: World) -> None:
    w.home.mkdir()
    with read_only(w.home):
        run = w.run("kata", "lstm", "--hint")
    assert run.code == 0 and run.out.startswith("Hint 1/") and "Cannot save which hints" in run.err


def read_only_home_reset(w: World) -> None:
    path = w.store_with_answers()
    with read_only(w.home):
        run = w.run("progress", "reset", "--yes")
    one_paragraph(run, "Cannot move", str(path))
    assert path.is_file()


def read_only_store_still_serves_stats_and_export(w: World) -> None:
    w.store_with_answers()
    with read_only(w.home):
        stats, export = w.run("stats", "--json"), w.run("progress", "export", "--json")
    assert stats.code == 0 and '"answered": 40' in stats.out, stats.text
    assert export.code == 0 and export.out.count('"question_id"') == 40, export.text


def workspace_env_is_a_file(w: World) -> None:
    target = w.workspace / "a-file"
    target.write_text("x")
    w.env["RNNPREP_WORKSPACE"] = str(target)
    one_paragraph(w.run("kata", "lstm", "--check"), "RNNPREP_WORKSPACE", "is a file")


def start_in_a_read_only_folder(w: World) -> None:
    with read_only(w.workspace):
        run = w.run("kata", "start", "lstm")
    one_paragraph(run, "Cannot write to", "--workspace")


def reset_in_a_read_only_folder(w: World) -> None:
    w.run("kata", "start", "lstm")
    mine = w.workspace / "katas" / "lstm" / "lstm.py"
    mine.write_text("my work")
    with read_only(mine.parent):
        run = w.run("kata", "lstm", "--reset", "--yes")
    one_paragraph(run, "Cannot", "lstm.py")
    assert mine.read_text() == "my work"


def reset_into_a_missing_folder(w: World) -> None:
    run = w.run("kata", "lstm", "--reset", "--yes", "--file", "missing_dir/x.py")
    one_paragraph(run, "missing_dir", "does not exist")
    assert not (w.workspace / "missing_dir").exists()


def restore_without_a_backup(w: World) -> None:
    one_paragraph(w.run("progress", "restore", "--yes"), "no backup")


def bank_folder_without_banks(w: World) -> None:
    one_paragraph(w.run("quiz", "--bank", str(w.workspace)), "holds no bank")


def contradictory_quiz_modes(w: World) -> None:
    one_paragraph(w.run("quiz", "--new", "--review"), "--new and --review")


def unknown_kata(w: World) -> None:
    one_paragraph(w.run("kata", "lstn", "--check"), "Did you mean 'lstm'")


def file_that_is_not_utf8(w: World) -> None:
    bad = w.workspace / "lstm.py"
    bad.write_bytes(b"\xff\xfe def lstm_forward(")
    one_paragraph(w.run("kata", "lstm", "--check", "--file", str(bad)), "Cannot read", "UTF-8")


CASES = [
    seed_negative, seed_too_big, quiz_seed_negative, damaged_store_stats, damaged_store_quiz_asks_nothing,
    home_is_a_file, read_only_home_hint_still_shows, read_only_home_reset,
    read_only_store_still_serves_stats_and_export, workspace_env_is_a_file, start_in_a_read_only_folder,
    reset_in_a_read_only_folder, reset_into_a_missing_folder, restore_without_a_backup,
    bank_folder_without_banks, contradictory_quiz_modes, unknown_kata, file_that_is_not_utf8,
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input(case: Case, world: World) -> None:
    case(world)


def test_reset_then_restore_brings_the_answers_back(world: World) -> None:
    path = world.store_with_answers()
    assert world.run("progress", "reset", "--yes").code == 0
    assert not path.exists()
    listed = world.run("progress", "restore", "--list")
    assert listed.code == 0 and ".bak-" in listed.out
    restored = world.run("progress", "restore", "--yes")
    assert restored.code == 0, restored.text
    with Store.open(path) as store:
        assert len(store.reviews()) == 40


def test_a_missing_torch_is_a_clear_error(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from rnnprep.cli import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    result = runner.invoke(cli, ["kata", "lstm", "--check", "--file", str(solutions_dir() / "lstm.py")])
    assert result.exit_code == 2 and "needs PyTorch" in result.output and "constraints.txt" in result.output
