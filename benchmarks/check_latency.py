"""How much a cold kata check costs compared with importing torch (the grader issue: <= 1.2x).

Runs each command in a fresh process, interleaved, after one warm-up each, and prints the
medians:

    python benchmarks/check_latency.py [--runs 7] [--kata lstm]

- baseline: python -c "import torch, numpy"
- check:    rnnprep kata NAME --check --file solutions/NAME.py (a correct file, the full CLI:
            the sandboxed child, the hidden suite run by pytest, the attempt saved)
- failing:  the same with a known-wrong file, where the diagnosis runs too
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


def timed(command: list[str], env: dict[str, str], expected: int) -> float:
    """Wall-clock seconds of one run; an unexpected exit code stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != expected:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return elapsed


def medians(commands: dict[str, tuple[list[str], int]], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per command; runs interleave so a change in machine load hits all alike."""
    for command, code in commands.values():
        timed(command, env, code)  # warm-up: disk cache, bytecode
    samples: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, (command, code) in commands.items():
            samples[label].append(timed(command, env, code))
    return {label: statistics.median(values) for label, values in samples.items()}


def main() -> None:
    """Measure and print the figures and the ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kata", default="lstm")
    options = parser.parse_args()
    solution = ROOT / "solutions" / f"{options.kata}.py"
    wrong = sorted((ROOT / "tests" / "fixtures" / "grading" / options.kata).glob("*.py"))
    env = dict(os.environ)
    env["RNNPREP_HOME"] = tempfile.mkdtemp(prefix="rnnprep-bench-")  # never the real store
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed packages run: bytecode compiled
    cli = [sys.executable, "-m", "rnnprep", "kata", options.kata, "--check", "--capsule-dir", env["RNNPREP_HOME"]]
    commands = {
        "import torch, numpy": ([sys.executable, "-c", "import torch, numpy"], 0),
        f"kata {options.kata} --check (correct)": ([*cli, "--file", str(solution)], 0),
    }
    if wrong:
        commands[f"kata {options.kata} --check (wrong: {wrong[0].stem})"] = ([*cli, "--file", str(wrong[0])], 1)
    figures = medians(commands, env, options.runs)
    baseline = figures["import torch, numpy"]
    print(f"median of {options.runs} interleaved runs, fresh process each")
    for label, seconds in figures.items():
        print(f"  {label:44s} {seconds:6.2f} s   {seconds / baseline:4.2f}x")


if __name__ == "__main__":
    main()
