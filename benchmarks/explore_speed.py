"""Measure `rnnprep explore NAME`, drawn in the terminal and written with --out (median wall time).

Usage: python benchmarks/explore_speed.py [--runs N]
The README's explore timings come from this script; `python -c "import torch"` is the floor
every exploration pays. The first run of each command is a warm-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from startup import median_seconds  # run as a script: benchmarks/ is on sys.path

NAMES = ("vanishing", "gates", "clipping", "dropout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "RNNPREP_HOME": home, "NO_COLOR": "1", "COLUMNS": "100"}
        floor = median_seconds([sys.executable, "-c", "import torch"], None, runs, env)
        print(f"{'command':<46} {'median':>8}")
        print(f"{'python -c import torch':<46} {floor:7.2f} s")
        for name in NAMES:
            explore = [sys.executable, "-m", "rnnprep", "explore", name]
            out = Path(home) / f"{name}.png"
            for label, command in ((f"rnnprep explore {name}", explore),
                                   (f"rnnprep explore {name} --out {name}.png", [*explore, "--out", str(out)])):  # fmt: skip
                print(f"{label:<46} {median_seconds(command, None, runs, env):7.2f} s")


if __name__ == "__main__":
    main()
