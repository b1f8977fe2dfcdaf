"""The CLI starts without importing numpy or torch (timing lives in benchmarks/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "torch")


def imported_modules(tmp_path: Path, *args: str, stdin: str = "") -> set[str]:
    """Top-level modules a CLI run imported, read from -X importtime."""
    env = {**os.environ, "RNNPREP_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "rnnprep", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split("|")[-1] for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.strip().split(".")[0] for line in lines}


@pytest.mark.parametrize(
    ("args", "stdin"),
    [(["--version"], ""), (["--help"], ""), (["quiz", "--all", "-n", "1"], "q\n"), (["questions", "lint"], ""),
     (["quiz", "--help"], ""), (["kata", "--help"], ""), (["stats"], ""), (["kata", "list"], ""),
     (["kata", "lstm", "--hint"], "")],
    ids=["version", "help", "quiz", "lint", "quiz-help", "kata-help", "stats", "kata-list", "kata-hint"],
)
def test_cli_start_does_not_import_numpy_or_torch(tmp_path, args, stdin):
    assert not imported_modules(tmp_path, *args, stdin=stdin) & set(HEAVY)
