"""rnnprep.kata.watch: a re-check on every save, none without one."""

from __future__ import annotations

import os
from itertools import islice

from rnnprep.kata.watch import changes


def test_yields_at_once_then_only_on_changes(tmp_path):
    path = tmp_path / "k.py"
    path.write_text("v1")
    ticks = {"n": 0}

    def fake_sleep(seconds: float) -> None:
        assert seconds == 0.5
        ticks["n"] += 1
        if ticks["n"] == 3:  # a save
            os.utime(path, ns=(1, 10**18))
        if ticks["n"] == 5:  # the editor removes then rewrites the file
            path.unlink()
        if ticks["n"] == 7:
            path.write_text("v2, longer")

    events = list(islice(changes(path, sleep=fake_sleep), 3))
    assert events == [path, path, path]
    assert ticks["n"] == 7  # first at once, then the save at tick 3, then the rewrite at 7
