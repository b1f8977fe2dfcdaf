"""How much a kata check costs compared with importing torch (issue 4: within about 1.5x).

Runs each command in a fresh process 5 times, interleaved, after one warm-up each, and
prints the medians:

    python benchmarks/check_latency.py [--runs 5] [--kata lstm]

- baseline:   python -c "import torch, numpy"
- check_file: a fresh process calling rnnprep.grading.check_file on the reference solution
- cli:        rnnprep kata NAME --check --file solutions/NAME.py (when the kata command exists)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run; a failing command stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return elapsed


def medians(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per command; runs interleave so a change in machine load hits all alike."""
    for command in commands.values():
        timed(command, env)  # warm-up: disk cache, bytecode
    samples: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            samples[label].append(timed(command, env))
    return {label: statistics.median(values) for label, values in samples.items()}


def main() -> None:
    """Measure and print the three figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kata", default="lstm")
    options = parser.parse_args()
    solution = ROOT / "solutions" / f"{options.kata}.py"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["RNNPREP_HOME"] = tempfile.mkdtemp(prefix="rnnprep-bench-")  # never the real store
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed packages run: bytecode compiled
    check = (
        "import sys; from pathlib import Path; from rnnprep.grading import check_file; "
        f"r = check_file({options.kata!r}, Path({str(solution)!r})); sys.exit(0 if r.passed else 1)"
    )
    commands = {
        "import torch, numpy": [sys.executable, "-c", "import torch, numpy"],
        f"check_file({options.kata!r})": [sys.executable, "-c", check],
    }
    if (ROOT / "rnnprep" / "cli" / "kata.py").exists():
        commands[f"rnnprep kata {options.kata} --check"] = [
            sys.executable,
            "-m",
            "rnnprep",
            "kata",
            options.kata,
            "--check",
            "--file",
            str(solution),
        ]
    figures = medians(commands, env, options.runs)
    baseline = figures["import torch, numpy"]
    print(f"median of {options.runs} interleaved runs, fresh process each")
    for label, seconds in figures.items():
        print(f"  {label:32s} {seconds:6.2f} s   {seconds / baseline:4.2f}x")


if __name__ == "__main__":
    main()
