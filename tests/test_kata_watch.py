"""rnnprep.kata.watch: a re-check on every save that changed the file, none without one."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from rnnprep.kata.watch import WarmGrader, changes, fingerprint


def collect(path: Path, actions: list, settle: float = 0.3) -> list[float]:
    """Run `changes` while a thread performs actions; the times at which it yielded."""
    stop = threading.Event()
    seen: list[float] = []

    def act() -> None:
        time.sleep(settle)
        for action in actions:
            action()
            time.sleep(settle)
        stop.set()

    threading.Thread(target=act, daemon=True).start()
    for _ in changes(path, stop=stop):
        seen.append(time.monotonic())
    return seen


def test_yields_at_once_then_on_every_changing_save(tmp_path: Path) -> None:
    path = tmp_path / "lstm.py"
    path.write_text("v1")
    other = tmp_path / "other.py"

    def rename_save() -> None:  # how many editors save: a temp file renamed over the target
        temp = tmp_path / ".lstm.py.tmp"
        temp.write_text("v3, saved by rename")
        os.replace(temp, path)

    seen = collect(path, [lambda: path.write_text("v2"), lambda: other.write_text("x"),
                          lambda: os.utime(path), rename_save])  # fmt: skip
    assert len(seen) == 3  # at once, the v2 save, the rename; not the other file, not a bare touch


def test_a_save_is_seen_within_a_fraction_of_a_second(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text("a")
    saved: list[float] = []

    def save() -> None:
        saved.append(time.monotonic())
        path.write_text("b")

    seen = collect(path, [save])
    assert len(seen) == 2 and seen[1] - saved[0] < 0.2


def test_fingerprint_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert fingerprint(tmp_path / "gone.py") is None


def test_the_warm_grader_keeps_one_child_waiting() -> None:
    grader = WarmGrader()
    grader.prepare_next()
    child = grader.take()
    assert child is not None and grader.take() is None
    grader.prepare_next()
    grader.close()
    child.close()
    assert grader.waiting is None
