"""Measure CLI start-up against `python -c "import click"` (median wall time of runs).

Usage: python benchmarks/startup.py [--runs N]
The README's figures come from this script. The baseline is an interpreter that imports
click, the least any click CLI pays; a bare `python -c pass` is shown for scale only.
Bytecode writing is enabled for the runs (as for any pip-installed package) and the
first run of each command is a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BASELINE = "python -c 'import click'"
COMMANDS: dict[str, tuple[list[str], str | None]] = {
    BASELINE: ([sys.executable, "-c", "import click"], None),
    "python -c pass": ([sys.executable, "-c", "pass"], None),
    "rnnprep --version": ([sys.executable, "-m", "rnnprep", "--version"], None),
    "rnnprep quiz (to first question)": (
        [sys.executable, "-m", "rnnprep", "quiz", "--all", "-n", "1"],
        "q\n",
    ),
    "rnnprep questions lint": ([sys.executable, "-m", "rnnprep", "questions", "lint"], None),
    "python -c 'import numpy'": ([sys.executable, "-c", "import numpy"], None),
}


def median_seconds(command: list[str], stdin: str | None, runs: int, env: dict[str, str]) -> float:
    """Median wall-clock seconds of `runs` executions (after one warm-up)."""
    timings = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, input=stdin, text=True, capture_output=True, env=env, check=True)
        if attempt:  # the first run only warms the file cache
            timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "RNNPREP_HOME": home, "NO_COLOR": "1"}
        # Measure what users get: an installed package has its bytecode compiled.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        baseline = median_seconds(*COMMANDS[BASELINE], runs, env)
        print(f"{'command':<36} {'median':>10}   vs {BASELINE}")
        for name, (command, stdin) in COMMANDS.items():
            seconds = baseline if name == BASELINE else median_seconds(command, stdin, runs, env)
            print(f"{name:<36} {seconds * 1000:7.0f} ms   {seconds / baseline:4.2f}x")


if __name__ == "__main__":
    main()
