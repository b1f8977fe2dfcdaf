"""Counts over question banks, for `rnnprep questions stats`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rnnprep.bank import load_questions


def bank_stats(banks: Sequence[Path] = ()) -> dict[str, Any]:
    """Totals by topic, type and difficulty; `verified` counts questions carrying a torch `check`."""
    questions = load_questions(banks, shipped=not banks)
    by_difficulty = Counter(q.difficulty for q in questions)
    return {
        "total": len(questions),
        "by_topic": dict(sorted(Counter(q.topic for q in questions).items())),
        "by_type": dict(sorted(Counter(q.type for q in questions).items())),
        "by_difficulty": {d: by_difficulty[d] for d in ("easy", "medium", "hard")},
        "verified": sum(q.check is not None for q in questions),
    }
