"""A mistake the grader can name: what it is, why it is wrong, how to fix it, what to study.

Plain data at the bottom of the diagnosis package. Each mistake is defined in the file of the
variants (or reproducers) that recognise it: forward.py for forward passes, advanced.py for
the advanced katas; catalogue.py gathers them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """One mistake, with the theory behind it and the quiz questions on it."""

    id: str
    title: str
    explanation: str  # the idea, as an interviewer would put it
    fix: str  # what to change in the code
    quiz_ids: tuple[str, ...]  # question ids in questions/*.yaml that teach the concept
