"""Per-kata state kept in the data dir: how many hints were shown; solution gating.

Hint state lives in ``<home>/katas/<name>.json`` (``{"hints_shown": n}``); whether the kata was
passed comes from the progress store (``Store.kata_status()``), which the caller passes in.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from rnnprep.errors import RnnprepError
from rnnprep.registry import Kata
from rnnprep.status import NOT_STARTED


@dataclass(frozen=True)
class Hint:
    """One hint, numbered from 1."""

    number: int
    total: int
    text: str

    @property
    def is_last(self) -> bool:
        """True when no further hint exists."""
        return self.number >= self.total


def state_path(home: Path, kata: Kata) -> Path:
    """<home>/katas/<name>.json."""
    return home / "katas" / f"{kata.name}.json"


def read_state(home: Path, kata: Kata) -> dict[str, object]:
    """The kata's saved state; an empty dict when none (or unreadable: it only holds hints)."""
    try:
        data = json.loads(state_path(home, kata).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(home: Path, kata: Kata, state: dict[str, object]) -> None:
    """Save the kata's state atomically (write a temp file, then rename); RnnprepError if not."""
    path = state_path(home, kata)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".json.tmp")
        temp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise RnnprepError(
            f"Cannot save which hints you have seen in {path} ({error.strerror}). Make "
            f"{home} writable, or set RNNPREP_HOME to a folder you can write to."
        ) from None


def hints_shown(home: Path, kata: Kata) -> int:
    """How many hints of this kata were shown so far."""
    shown = read_state(home, kata).get("hints_shown", 0)
    return min(shown, len(kata.hints)) if isinstance(shown, int) and shown >= 0 else 0


def next_hint(home: Path, kata: Kata) -> Hint:
    """The next hint (each call moves one further; after the last, the last again)."""
    state = read_state(home, kata)
    number = min(hints_shown(home, kata) + 1, len(kata.hints))
    write_state(home, kata, {**state, "hints_shown": number})
    return Hint(number=number, total=len(kata.hints), text=kata.hints[number - 1])


def peek_hint(home: Path, kata: Kata) -> Hint:
    """The hint next_hint would give, without moving on (when the state cannot be saved)."""
    number = min(hints_shown(home, kata) + 1, len(kata.hints))
    return Hint(number=number, total=len(kata.hints), text=kata.hints[number - 1])


def hints_so_far(home: Path, kata: Kata) -> list[Hint]:
    """Every hint shown so far, to read them again (at least the first)."""
    shown = max(1, hints_shown(home, kata))
    return [Hint(n, len(kata.hints), kata.hints[n - 1]) for n in range(1, shown + 1)]


def solution_text(kata: Kata, *, passed: bool, force: bool = False) -> str:
    """The reference solution, only once the kata was passed (or when forced)."""
    if not (passed or force):
        raise RnnprepError(
            f"The solution of '{kata.name}' unlocks once `rnnprep kata {kata.name} --check` "
            f"passes. Try `rnnprep kata {kata.name} --hint` first, or add --force to see it now."
        )
    return kata.solution.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Row:
    """One line of `rnnprep kata list`."""

    level: int
    name: str
    title: str
    difficulty: str
    status: str  # a word of rnnprep.status (the words `stats` uses too)

    def to_dict(self) -> dict[str, object]:
        """For --json."""
        return {"level": self.level, "name": self.name, "title": self.title,
                "difficulty": self.difficulty, "status": self.status}


def overview(katas: list[Kata] | tuple[Kata, ...], statuses: dict[str, str]) -> list[Row]:
    """The learning path with each kata's status (`statuses`: name -> "passed"/"failing")."""
    return [
        Row(kata.level, kata.name, kata.title, kata.difficulty, statuses.get(kata.name, NOT_STARTED))
        for kata in sorted(katas, key=lambda kata: kata.level)
    ]
