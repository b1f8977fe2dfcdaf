"""The catalogue: every mistake of issue 5 is there, explained, fixable and linked to real quiz questions."""

from __future__ import annotations

import yaml

from rnnprep.content import questions_dir
from rnnprep.diagnosis import CATALOGUE, Mistake

ISSUE_IDS = {
    "gate-order",
    "missing-bias",
    "wrong-activation",
    "forget-gate-unused",
    "initial-state-ignored",
    "time-reversed",
    "state-swap",
    "last-step-only",
    "final-state-not-last",
    "gru-reset-placement",
    "gru-interpolation-flipped",
    "precision-loss",
    "batch-time-swapped",
}


def shipped_question_ids() -> set[str]:
    """Every question id of the banks in questions/."""
    ids: set[str] = set()
    for path in sorted(questions_dir().glob("*.yaml")):
        # The C build of the safe loader when present: same rules as yaml.safe_load, 10x faster.
        bank = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
        ids |= {q["id"] for q in bank.get("questions", [])}
    return ids


def test_every_issue_id_is_catalogued() -> None:
    assert set(CATALOGUE) >= ISSUE_IDS


def test_entries_are_keyed_by_their_own_id_and_fully_written() -> None:
    for key, mistake in CATALOGUE.items():
        assert isinstance(mistake, Mistake) and mistake.id == key
        assert mistake.title and not mistake.title.endswith(".")
        assert len(mistake.explanation) > 80 and mistake.explanation.endswith(".")
        assert mistake.fix and mistake.fix.endswith(".")


def test_every_quiz_id_exists_in_the_shipped_banks() -> None:
    known = shipped_question_ids()
    assert known, "no question banks found"
    for mistake in CATALOGUE.values():
        assert mistake.quiz_ids, f"{mistake.id} links no quiz question"
        missing = [q for q in mistake.quiz_ids if q not in known]
        assert not missing, f"{mistake.id} links unknown question ids {missing}"
