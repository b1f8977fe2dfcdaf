"""A check result in words for a terminal: the verdict, the failing tests, what to do next.

Failures that say the same thing (the same mistake on other random cases) are grouped, so
the first one is shown in full and the rest in a line. What the submission printed is shown
under the test that printed it, capped. The likely mistake, its fix and the quiz questions
to review come last, after the list, where they stay on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rnnprep.grading.types import CheckResult, TestOutcome

ADVICE = ("Likely mistake (", "Review: rnnprep quiz")
PRINTED_LINES = 12  # lines of a test's printed output shown


def _plain(text: str, **styles: Any) -> str:
    """A style function that leaves text as it is."""
    return text


def _split(message: str) -> tuple[list[str], list[str]]:
    """(what went wrong, the advice lines: likely mistake and review)."""
    body, advice = [], []
    for line in message.splitlines():
        (advice if line.startswith(ADVICE) else body).append(line)
    return body, advice


def same_mistake_key(test: TestOutcome) -> tuple[Any, ...]:
    """What makes two failures 'the same mistake': the same diagnosis, or (with none) the same
    stage and message without the call line (whose sizes differ) and without numbers."""
    if test.diagnosis:
        return test.stage, tuple(test.diagnosis)
    body, _ = _split(test.message)
    rest = "\n".join(line for line in body[1:] if not line.startswith("Called "))
    return test.stage, tuple(test.diagnosis), re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", rest)


def render_result(result: CheckResult, style: Callable[..., str] = _plain, after: list[str] | None = None) -> str:
    """Human text for a check; `after` are closing lines (progress, next kata) from the caller."""
    done = sum(t.passed for t in result.tests)
    facts = f"isolation: {result.isolation}"
    if result.passed:
        head = style(f"{result.kata}: all {done} tests passed", fg="green", bold=True)
        took = f"{result.seconds:.1f} s" if result.seconds >= 1 else f"{result.seconds * 1000:.0f} ms"
        lines = [f"{head} ({result.file.name}, {took}, {facts})."]
        lines += [f"  {note}" for note in result.notes]
        return "\n".join([*lines, *(after or [])])
    count = f"{done} of {result.expected_tests} tests passed · " if result.tests else ""
    head = style(f"{result.kata}: FAILED", fg="red", bold=True)
    lines = [f"{head} ({count}{result.file} · seed {result.seed} · {facts})"]
    if result.error:
        lines += ["", result.error]
    advice: list[str] = []
    groups: dict[tuple[Any, ...], list[TestOutcome]] = {}
    for test in result.tests:
        if not test.passed:
            groups.setdefault(same_mistake_key(test), []).append(test)
    for test in result.tests:
        if test.passed:
            lines.append(f"  {style('PASS', fg='green')} {test.name}")
            continue
        group = groups[same_mistake_key(test)]
        if test is not group[0]:
            continue
        body, tips = _split(test.message)
        lines.append(f"  {style('FAIL', fg='red', bold=True)} {test.name}")
        lines += [f"       {line}" for line in body]
        advice += [tip for tip in tips if tip not in advice]
        if len(group) > 1:
            others = ", ".join(t.name for t in group[1:])
            lines.append(style(f"       The same mistake in {len(group) - 1} more test{'s' * (len(group) > 2)}: {others}.", dim=True))
        if test.output.strip():
            printed = test.output.rstrip().splitlines()
            shown = printed[:PRINTED_LINES] + ([f"[... {len(printed) - PRINTED_LINES} more lines]"] if len(printed) > PRINTED_LINES else [])
            lines.append("       Your code printed:")
            lines += [f"         | {line}" for line in shown]
    if result.output.strip() and not result.tests:
        lines += ["", "Your file printed:", *(f"  | {line}" for line in result.output.rstrip().splitlines()[:PRINTED_LINES])]
    if advice:
        lines += ["", *advice]
    if result.capsule:
        lines += ["", f"The first failing case is saved in {result.capsule}."]
    if result.tests:
        lines += [f"Replay these exact cases: {style(result.replay, bold=True)}"]
    return "\n".join([*lines, *(after or [])])
