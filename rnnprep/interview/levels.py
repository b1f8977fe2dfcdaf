"""What each interview level asks: where the warm-up starts, the concept questions, the katas,
and how the minutes are shared between the sections."""

from __future__ import annotations

from dataclasses import dataclass

from rnnprep.bank.model import DIFFICULTIES


@dataclass(frozen=True)
class Level:
    """One interview level."""

    name: str
    start: str  # the warm-up's first difficulty
    lowest: str  # adaptivity never goes below this difficulty ...
    highest: str  # ... nor above this one
    concept_difficulties: tuple[str, ...]  # the open questions' difficulties, easiest first
    katas: tuple[str, ...]  # the coding exercise is one of these (those that exist)
    shares: tuple[float, float, float]  # the minutes' share of warm-up, concepts, coding


LEVELS: dict[str, Level] = {
    "junior": Level("junior", "easy", "easy", "medium", ("easy", "medium"), ("rnn", "lstm_cell"), (0.35, 0.25, 0.40)),
    "mid": Level("mid", "medium", "easy", "hard", ("medium", "hard"), ("lstm", "gru", "masked_loss"), (0.30, 0.25, 0.45)),
    "senior": Level("senior", "medium", "medium", "hard", ("hard", "medium"),
                    ("lstm_backward", "seq2seq_attention", "beam_search"), (0.25, 0.25, 0.50)),
}  # fmt: skip
DEFAULT_MINUTES = 30
WARMUP_PER_30_MINUTES = 8  # questions in the warm-up of a 30-minute interview
CONCEPTS = 3  # open questions at most (2 in a short interview)


def harder(difficulty: str, level: Level) -> str:
    """One step up, within the level's range."""
    return _step(difficulty, +1, level)


def easier(difficulty: str, level: Level) -> str:
    """One step down, within the level's range."""
    return _step(difficulty, -1, level)


def _step(difficulty: str, by: int, level: Level) -> str:
    low, high = DIFFICULTIES.index(level.lowest), DIFFICULTIES.index(level.highest)
    return DIFFICULTIES[min(high, max(low, DIFFICULTIES.index(difficulty) + by))]


def warmup_count(minutes: float) -> int:
    """About 8 questions for 30 minutes, 4 to 12 in all."""
    return max(4, min(12, round(WARMUP_PER_30_MINUTES * minutes / DEFAULT_MINUTES)))


def concept_count(minutes: float) -> int:
    """Three open questions, two in an interview shorter than 20 minutes."""
    return CONCEPTS if minutes >= 20 else CONCEPTS - 1
