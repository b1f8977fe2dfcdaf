"""`rnnprep kata`: list, start, instructions, hints, solution gating, reset, check and watch.

The grader is replaced by a fake module so these tests are about the CLI's plumbing (exit codes,
--json, recording attempts); the grader has its own tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest

from rnnprep import registry
from rnnprep.cli import main


@click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def entry(args: tuple[str, ...]) -> None:
    """The real entry point (error handling and exit codes included) under CliRunner."""
    main(list(args))


@dataclass
class FakeResult:
    kata: str
    passed: bool
    seed: int
    tests: list[Any] = field(default_factory=list)

    @property
    def failing_tests(self) -> list[str]:
        return [t.name for t in self.tests if not t.passed]

    @property
    def diagnosis(self) -> list[str]:
        return [i for t in self.tests for i in t.diagnosis]

    def to_dict(self) -> dict[str, Any]:
        return {"kata": self.kata, "passed": self.passed, "seed": self.seed, "error": None,
                "tests": [{"name": t.name, "passed": t.passed, "message": t.message,
                           "diagnosis": t.diagnosis} for t in self.tests]}


@pytest.fixture
def grader(monkeypatch):
    """A fake grader behind rnnprep.kata.checking: passes when the file contains 'PASS'."""
    from rnnprep.kata import checking

    calls: list[dict[str, Any]] = []

    def check_file(kata, path, *, seed=None, timeout=10.0, capsule_dir=None, sandbox=None):
        kata_name = kata.name
        if sandbox is not None:
            sandbox.close()
        calls.append({"kata": kata_name, "path": Path(path), "seed": seed, "timeout": timeout,
                      "capsule_dir": capsule_dir})
        ok = "PASS" in Path(path).read_text()
        test = SimpleNamespace(name="values_float64", passed=ok, message="" if ok else "max abs error 0.3",
                               diagnosis=[] if ok else ["lstm.gate-order"])
        return FakeResult(kata_name, ok, 1234 if seed is None else seed, [test])

    def render_result(result, style, after=None):
        head = style(f"{result.kata}: {'PASSED' if result.passed else 'FAILED'} (seed {result.seed})")
        return "\n".join([head, *(after or [])])

    fake = SimpleNamespace(check_file=check_file, render_result=render_result, calls=calls)
    monkeypatch.setattr(checking, "check", check_file)
    monkeypatch.setattr(checking, "render", render_result)
    return fake


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(entry, list(args), input=input)


def started(runner, ws: Path, name: str = "lstm", content: str | None = None) -> Path:
    assert run(runner, "kata", "start", name, "--workspace", str(ws)).exit_code == 0
    path = ws / "katas" / name / f"{name}.py"
    if content is not None:
        path.write_text(content)
    return path


def test_bare_kata_lists_the_path(runner):
    result = run(runner, "kata")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(" 1. rnn_cell")
    assert len(lines) == len(registry.default())
    assert all("not started" in line for line in lines)


def test_list_json(runner):
    result = run(runner, "kata", "list", "--json")
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == registry.default().names()


def test_show_instructions(runner):
    result = run(runner, "kata", "gru_cell")
    assert result.exit_code == 0
    assert result.output.startswith("# gru_cell")
    assert "## Pitfalls" in result.output


def test_unknown_kata_suggests_and_exits_2(runner):
    result = run(runner, "kata", "lstn", "--check")
    assert result.exit_code == 2
    assert "Did you mean 'lstm'?" in result.output


def test_start_then_start_again_keeps_work(runner, ws):
    path = started(runner, ws, content="my work")
    result = run(runner, "kata", "start", "lstm", "--workspace", str(ws))
    assert result.exit_code == 0
    assert "Kept" in result.output and "Created" not in result.output
    assert path.read_text() == "my work"


def test_check_pass_exit_0_and_records_attempt(runner, ws, grader):
    path = started(runner, ws, content="# PASS")
    result = run(runner, "kata", "lstm", "--check", "--workspace", str(ws), "--seed", "7", "--timeout", "3")
    assert result.exit_code == 0, result.output
    assert "lstm: PASSED (seed 7)" in result.output
    assert "lstm passed · 1/22 katas · next: gru_cell (rnnprep kata start gru_cell)" in result.output
    assert grader.calls == [{"kata": "lstm", "path": path, "seed": 7, "timeout": 3.0, "capsule_dir": None}]
    listing = run(runner, "kata", "list", "--json")
    assert {r["name"]: r["status"] for r in json.loads(listing.output)}["lstm"] == "passed"


def test_check_failure_exit_1_with_json(runner, ws, grader):
    started(runner, ws, content="# wrong")
    result = run(runner, "kata", "lstm", "--check", "--json", "--workspace", str(ws))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["kata"] == "lstm" and data["passed"] is False and data["seed"] == 1234
    assert data["tests"][0]["diagnosis"] == ["lstm.gate-order"]
    listing = run(runner, "kata", "list", "--json")
    assert {r["name"]: r["status"] for r in json.loads(listing.output)}["lstm"] == "failing"


def test_check_records_in_the_store(runner, ws, grader, isolated_home):
    from rnnprep.store import Store

    started(runner, ws, content="# wrong")
    run(runner, "kata", "lstm", "--check", "--workspace", str(ws))
    with Store.open(isolated_home / "progress.sqlite3") as store:
        (attempt,) = store.kata_attempts()
    assert attempt["kata"] == "lstm" and attempt["passed"] is False and attempt["seed"] == 1234
    assert attempt["failing_tests"] == ["values_float64"]
    assert attempt["diagnosis"] == ["lstm.gate-order"]


def test_check_any_file(runner, tmp_path, grader, isolated_home):
    mine = tmp_path / "mine.py"
    mine.write_text("PASS")
    result = run(runner, "kata", "rnn", "--check", "--file", str(mine), "--capsule-dir", str(tmp_path / "c"))
    assert result.exit_code == 0
    assert grader.calls[0]["path"] == mine and grader.calls[0]["capsule_dir"] == tmp_path / "c"
    assert "Not counted as an attempt: mine.py is not your rnn.py" in result.output
    listing = json.loads(run(runner, "kata", "list", "--json").output)
    assert {r["name"]: r["status"] for r in listing}["rnn"] == "not started"


def test_check_missing_file_exits_2_and_says_how(runner, ws, grader):
    result = run(runner, "kata", "lstm", "--check", "--workspace", str(ws))
    assert result.exit_code == 2
    assert "rnnprep kata start lstm" in result.output
    assert grader.calls == []


def test_workspace_from_environment(runner, ws, grader, monkeypatch):
    started(runner, ws, content="PASS")
    monkeypatch.setenv("RNNPREP_WORKSPACE", str(ws))
    assert run(runner, "kata", "lstm", "--check").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "--hint"], "Choose one of"),
        (["--seed", "3"], "--seed only applies"),
        (["--json"], "--json only applies"),
        (["--timeout", "5"], "--timeout only applies"),
        (["--yes"], "--yes only applies with --reset"),
        (["--force"], "--force only applies with --solution"),
        (["--check", "--timeout", "0"], "--timeout"),
    ],
)
def test_contradictory_options_are_usage_errors(runner, args, message):
    result = run(runner, "kata", "lstm", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_hints_one_more_each_time(runner):
    kata = registry.get("lstm")
    outputs = [run(runner, "kata", "lstm", "--hint").output for _ in range(len(kata.hints))]
    assert outputs[0].startswith(f"Hint 1/{len(kata.hints)}: {kata.hints[0]}")
    assert outputs[-1].startswith(f"Hint {len(kata.hints)}/{len(kata.hints)}")
    assert "last hint" in outputs[-1] and "last hint" not in outputs[0]


def test_solution_locked_until_a_pass(runner, ws, grader):
    locked = run(runner, "kata", "lstm", "--solution")
    assert locked.exit_code == 2 and "--force" in locked.output
    assert "def lstm_forward" not in locked.output
    forced = run(runner, "kata", "lstm", "--solution", "--force")
    assert forced.exit_code == 0 and "def lstm_forward" in forced.output
    started(runner, ws, content="PASS")
    run(runner, "kata", "lstm", "--check", "--workspace", str(ws))
    unlocked = run(runner, "kata", "lstm", "--solution")
    assert unlocked.exit_code == 0 and "def lstm_forward" in unlocked.output


def test_reset_asks_backs_up_and_restores(runner, ws):
    path = started(runner, ws, content="my precious work")
    declined = run(runner, "kata", "lstm", "--reset", "--workspace", str(ws), input="n\n")
    assert declined.exit_code != 0
    assert path.read_text() == "my precious work"
    result = run(runner, "kata", "lstm", "--reset", "--workspace", str(ws), input="y\n")
    assert result.exit_code == 0, result.output
    assert path.read_text() == registry.get("lstm").starter.read_text()
    (backup,) = path.parent.glob("lstm.py.bak-*")
    assert backup.read_text() == "my precious work"
    assert str(backup) in result.output


def test_watch_checks_on_each_change_until_ctrl_c(runner, ws, grader, monkeypatch):
    path = started(runner, ws, content="wrong")

    def fake_changes(watched):
        assert watched == path
        yield watched
        path.write_text("PASS")
        yield watched
        raise KeyboardInterrupt

    monkeypatch.setattr("rnnprep.kata.watch.changes", fake_changes)
    monkeypatch.setattr("rnnprep.kata.watch.WarmGrader.warm_up", lambda self: None)
    result = run(runner, "kata", "lstm", "--watch", "--workspace", str(ws))
    assert len(grader.calls) == 2
    assert "FAILED" in result.output and "PASSED" in result.output
    assert "Stopped watching." in result.output
    assert result.exit_code == 0  # the last check passed


def test_help_has_examples(runner):
    for args in (["kata", "--help"], ["kata", "lstm", "--help"], ["kata", "start", "--help"], ["kata", "list", "--help"]):
        result = run(runner, *args)
        assert result.exit_code == 0
        assert "Example" in result.output


def test_kata_next_starts_the_first_kata_not_passed(runner, ws, grader):
    result = run(runner, "kata", "next", "--workspace", str(ws))
    assert result.exit_code == 0, result.output
    assert "Next on the path: rnn_cell" in result.output
    assert (ws / "katas" / "rnn_cell" / "rnn_cell.py").is_file()
    assert f"rnnprep kata rnn_cell --check --workspace {ws}" in result.output


def test_hint_all_shows_every_hint_seen_so_far(runner):
    run(runner, "kata", "gru", "--hint")
    run(runner, "kata", "gru", "--hint")
    again = run(runner, "kata", "gru", "--hint", "--all")
    assert again.output.count("Hint ") == 2 and "Hint 1/" in again.output and "Hint 2/" in again.output


def test_last_hint_after_a_pass_points_at_the_solution(runner, ws, grader):
    started(runner, ws, content="PASS")
    run(runner, "kata", "lstm", "--check", "--workspace", str(ws))
    for _ in range(len(registry.get("lstm").hints) - 1):
        run(runner, "kata", "lstm", "--hint")
    last = run(runner, "kata", "lstm", "--hint").output
    assert "You passed it" in last and "unlocks after a pass" not in last


def test_a_verdict_on_a_terminal_is_wrapped_to_its_width(runner, ws, grader, monkeypatch):
    long_line = "Called lstm(x=(7, 3, 5), state=None, W_ih=(12, 5), W_hh=(12, 3), b_ih=(12,), b_hh=(12,)) " * 2
    from rnnprep.kata import checking

    monkeypatch.setattr(checking, "render", lambda result, style, after=None: "  FAIL values\n       " + long_line)
    monkeypatch.setattr("rnnprep.cli.app.stdout_is_terminal", lambda: True)
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(100, 24): os.terminal_size((61, 24)))
    started(runner, ws, content="# wrong")
    lines = run(runner, "kata", "lstm", "--check", "--workspace", str(ws)).output.splitlines()
    assert len(lines) > 3 and all(len(line) <= 60 for line in lines)
    assert all(line.startswith("       ") for line in lines[1:])  # continuation lines keep the indent
    monkeypatch.setattr("rnnprep.cli.app.stdout_is_terminal", lambda: False)  # a pipe: as it is
    assert long_line.strip() in run(runner, "kata", "lstm", "--check", "--workspace", str(ws)).output
