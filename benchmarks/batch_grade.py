"""Time `rnnprep grade lstm` on 200 submissions against 200 sequential `kata --check` runs.

Usage: python benchmarks/batch_grade.py [--count 200] [--jobs 2] [--sequential N]

Half the submissions are the reference solution, half cycle through the known-wrong LSTMs of
tests/fixtures/grading/lstm (so half the checks run the diagnosis). The batch runs once with
`-j JOBS`; the sequential baseline runs `rnnprep kata lstm --check --file F` for the first N
submissions (default: all of them) and, when N < count, extrapolates to count. The README's
figures come from this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_submissions(folder: Path, count: int) -> list[Path]:
    """count files: even ones the solution, odd ones a wrong LSTM."""
    wrong = sorted((ROOT / "tests" / "fixtures" / "grading" / "lstm").glob("*.py"))
    files = []
    for i in range(count):
        source = ROOT / "solutions" / "lstm.py" if i % 2 == 0 else wrong[i % len(wrong)]
        target = folder / f"student{i:03d}.py"
        shutil.copy(source, target)
        files.append(target)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sequential", type=int, default=None, help="how many sequential checks to time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "subs").mkdir()
        files = make_submissions(work / "subs", options.count)
        env = {**os.environ, "RNNPREP_HOME": str(work / "home"), "NO_COLOR": "1"}
        rnnprep = [sys.executable, "-m", "rnnprep"]

        start = time.perf_counter()
        subprocess.run([*rnnprep, "grade", "lstm", str(work / "subs"), "-j", str(options.jobs), "--seed", "1",
                        "--json", str(work / "batch.json")], env=env, capture_output=True, check=False)  # fmt: skip
        batch = time.perf_counter() - start
        report = json.loads((work / "batch.json").read_text())
        summary = report["summary"]
        per_row = [row["seconds"] for row in report["submissions"]]

        sample = files[: options.sequential or options.count]
        timings = []
        for path in sample:
            start = time.perf_counter()
            subprocess.run([*rnnprep, "kata", "lstm", "--check", "--file", str(path), "--seed", "1"],
                           env=env, capture_output=True, check=False)  # fmt: skip
            timings.append(time.perf_counter() - start)
        sequential = sum(timings) * options.count / len(sample)

    print(f"{options.count} LSTM submissions ({summary['passed']} pass, {summary['failed']} fail, "
          f"{summary['ungraded']} ungraded), {os.cpu_count()} cores")
    print(f"  rnnprep grade lstm -j {options.jobs}            {batch:7.1f} s   "
          f"({1000 * batch / options.count:.0f} ms per submission; median row {1000 * statistics.median(per_row):.0f} ms)")
    label = "sequential kata --check" + ("" if len(sample) == options.count else f" (x{len(sample)}, extrapolated)")
    print(f"  {label:<38} {sequential:7.1f} s   ({1000 * statistics.median(timings):.0f} ms median each)")
    print(f"  speed-up                                {sequential / batch:7.1f}x")


if __name__ == "__main__":
    main()
