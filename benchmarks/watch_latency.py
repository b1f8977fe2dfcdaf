"""How fast `rnnprep kata NAME --watch` shows a verdict after a save (the kata-loop issue: <= 0.15 s).

Starts the watch on a temporary copy of a file, then saves it N times, alternating the
reference solution and a known-wrong file, and times each save until its verdict line
(`NAME: all ...` or `NAME: FAILED ...`) appears on the watch's output:

    python benchmarks/watch_latency.py [--saves 20] [--kata lstm]
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Measure and print the medians (all saves, passing files, failing files)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--kata", default="lstm")
    options = parser.parse_args()
    right = (ROOT / "solutions" / f"{options.kata}.py").read_text()
    wrongs = sorted((ROOT / "tests" / "fixtures" / "grading" / options.kata).glob("*.py"))
    wrong = wrongs[0].read_text() if wrongs else "def broken(:\n"
    folder = Path(tempfile.mkdtemp(prefix="rnnprep-watch-"))
    target = folder / f"{options.kata}.py"
    target.write_text(wrong)
    env = {**os.environ, "RNNPREP_HOME": str(folder / "home"), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    process = subprocess.Popen([sys.executable, "-m", "rnnprep", "kata", options.kata, "--watch", "--file", str(target)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=folder)  # fmt: skip
    verdicts: queue.Queue[tuple[float, str]] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(f"{options.kata}: "):
                verdicts.put((time.perf_counter(), line.strip()))

    threading.Thread(target=read, daemon=True).start()
    try:
        verdicts.get(timeout=60)  # the first check, with the cold start
        passing: list[float] = []
        failing: list[float] = []
        for number in range(options.saves):
            good = number % 2 == 0
            time.sleep(0.4)  # a person takes longer than this between saves
            saved = time.perf_counter()
            target.write_text(right if good else wrong)
            seen, line = verdicts.get(timeout=30)
            assert ("all" in line) == good, line
            (passing if good else failing).append(seen - saved)
    finally:
        process.terminate()
        process.wait()
    every = passing + failing
    print(f"{options.saves} saves of {options.kata}.py, save -> verdict line on the watch's output")
    print(f"  median, every save      {statistics.median(every) * 1000:6.0f} ms")
    print(f"  median, a correct file  {statistics.median(passing) * 1000:6.0f} ms")
    print(f"  median, a wrong file    {statistics.median(failing) * 1000:6.0f} ms  (diagnosis included)")


if __name__ == "__main__":
    main()
