"""Grader diagnosis: name the known mistake behind a failing value check and say where it starts.

    from rnnprep.diagnosis import diagnose, localise, explain, CATALOGUE
    ids = diagnose("lstm", inputs, actual, 1e-9)        # e.g. ["gate-order"], [] if unknown
    where = localise("lstm", inputs, expected, actual, 1e-9)
    ids, lines = explain("lstm", inputs, actual, expected, 1e-9)   # what a failing test says
    CATALOGUE["gate-order"].fix

Everything is NumPy in float64 in the grader's process; the user's code is never run here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rnnprep.diagnosis.catalogue import CATALOGUE, Mistake
from rnnprep.diagnosis.localise import localise
from rnnprep.diagnosis.matching import diagnose, explain_match

__all__ = ["CATALOGUE", "Mistake", "diagnose", "explain", "explain_match", "lines_for", "localise"]


def lines_for(ids: Iterable[str]) -> list[str]:
    """'Likely mistake (id): title. explanation Fix: ...' per id, then one 'Review:' line."""
    lines = []
    quiz_ids: list[str] = []
    for mistake_id in ids:
        mistake = CATALOGUE[mistake_id]
        lines.append(f"Likely mistake ({mistake_id}): {mistake.title}. {mistake.explanation} Fix: {mistake.fix}")
        quiz_ids += [q for q in mistake.quiz_ids if q not in quiz_ids]
    if quiz_ids:
        lines.append("Review: rnnprep quiz " + " ".join(f"--id {q}" for q in quiz_ids))
    return lines


def explain(kata: str, inputs: Mapping[str, Any], actual: Any, expected: Any, tolerance: float) -> tuple[list[str], list[str]]:
    """Mistake ids and the message lines of a failing forward-pass test: where, what, review."""
    ids = list(diagnose(kata, inputs, actual, tolerance))
    where = localise(kata, inputs, expected, actual, tolerance)
    return ids, ([f"Where: {where}"] if where else []) + lines_for(ids)
