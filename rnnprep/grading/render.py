"""A check result in words for a terminal: the verdict, each failing test, what to do next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rnnprep.grading.types import CheckResult


def _plain(text: str, **styles: Any) -> str:
    """A style function that leaves text as it is."""
    return text


def render_result(result: CheckResult, style: Callable[..., str] = _plain) -> str:
    """Human text for a check; style is App.style (colour on a terminal, plain otherwise)."""
    done = sum(t.passed for t in result.tests)
    isolation = f"isolation: {result.isolation}"
    if result.passed:
        head = style(f"{result.kata}: all {done} tests passed", fg="green", bold=True)
        lines = [f"{head} ({result.file.name}, {result.seconds:.1f} s, {isolation})."]
        lines += [f"  {note}" for note in result.notes]
        return "\n".join(lines)
    count = f"{done} of {result.expected_tests} tests passed, " if result.tests else ""
    lines = [style(f"{result.kata}: FAILED", fg="red", bold=True) + f" ({count}{result.file}, seed {result.seed}, {isolation})"]
    if result.error:
        lines += ["", result.error]
    shown: set[str] = set()  # an explanation repeated by several tests is printed once
    for test in result.tests:
        mark = style("PASS", fg="green") if test.passed else style("FAIL", fg="red", bold=True)
        lines.append(f"  {mark} {test.name}")
        if not test.passed:
            lines += [f"       {line}" for line in test.message.splitlines() if line not in shown]
            shown.update(test.message.splitlines())
    if result.capsule:
        lines += ["", f"The first failing case is saved in {result.capsule}."]
    if result.tests:
        lines += [f"Replay these exact cases: {style(result.replay, bold=True)}"]
    return "\n".join(lines)
