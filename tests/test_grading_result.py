"""The result model: positive-evidence passing, the JSON form, and the rendered text."""

from __future__ import annotations

import json
from pathlib import Path

from rnnprep.grading.render import render_result
from rnnprep.grading.types import CheckResult, Stage, TestOutcome


def result(*passed: bool, error: str | None = None, planned: int | None = None) -> CheckResult:
    tests = [
        TestOutcome(f"t{i}", ok, "Called f().\nsame line" if not ok else "fine", stage=Stage.OK if ok else Stage.VALUE)
        for i, ok in enumerate(passed)
    ]
    return CheckResult(
        "lstm",
        42,
        Path("/w/lstm.py"),
        tests,
        error,
        expected_tests=len(passed) if planned is None else planned,
    )


def test_passes_only_when_every_planned_test_ran_and_passed() -> None:
    assert result(True, True).passed
    assert not result(True, False).passed
    assert not result(True, True, error="timed out").passed
    assert not result(True, planned=2).passed  # a test never came back
    assert not result().passed  # nothing ran: no evidence, no pass


def test_to_dict_is_the_documented_json() -> None:
    data = json.loads(json.dumps(result(True, False).to_dict()))
    assert {"kata", "passed", "seed", "error", "tests", "capsule", "replay", "isolation"} <= set(data)
    assert data["kata"] == "lstm" and data["seed"] == 42 and data["passed"] is False
    assert data["replay"] == "rnnprep kata lstm --check --seed 42"
    assert data["tests"][1] == {
        "name": "t1",
        "passed": False,
        "stage": "value",
        "message": "Called f().\nsame line",
        "diagnosis": [],
        "notes": [],
        "output": "",
    }


def test_failing_tests_and_diagnosis_summaries() -> None:
    checked = result(True, False, False)
    checked.tests[1].diagnosis = ["gate-order"]
    checked.tests[2].diagnosis = ["gate-order", "missing-bias"]
    assert checked.failing_tests == ["t1", "t2"]
    assert checked.diagnosis == ["gate-order", "missing-bias"]


def test_render_failure_shows_tests_seed_replay_and_prints_repeats_once() -> None:
    text = render_result(result(True, False, False))
    assert "lstm: FAILED (1 of 3 tests passed · /w/lstm.py · seed 42 · isolation: basic)" in text
    assert "PASS t0" in text and "FAIL t1" in text
    assert "The same mistake in 1 more test: t2." in text  # grouped, not repeated
    assert text.count("same line") == 1
    assert "rnnprep kata lstm --check --seed 42" in text


def test_render_file_error_without_tests() -> None:
    text = render_result(result(error="lstm.py line 3 has a syntax error", planned=0))
    assert "lstm.py line 3 has a syntax error" in text
    assert "tests passed" not in text and "Replay" not in text


def test_render_uses_the_style_function() -> None:
    calls = []

    def style(text: str, **styles: object) -> str:
        calls.append(styles)
        return f"<{text}>"

    assert "<lstm: all 2 tests passed>" in render_result(result(True, True), style)
    assert calls == [{"fg": "green", "bold": True}]
