"""The grading process of a notebook check: `python -m rnnprep.notebook.runner`.

`rnnprep.check()` runs this in a fresh process so that torch, pytest and the comparison never
load into the user's kernel. It reads one JSON request on stdin::

    {"kata": "lstm", "source": "...", "filename": "lstm.py", "seed": null, "timeout": 10.0,
     "katas_dirs": [], "record": true}

grades the source exactly as `rnnprep kata NAME --check` grades a file (the same sandboxed
child, the same hidden suite), records the attempt in the same progress store, and prints one
JSON object: the check's `--json` form, or ``{"problem": "..."}`` when it could not grade.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def grade(request: dict[str, Any]) -> dict[str, Any]:
    """The check's JSON, plus a warning when the attempt could not be recorded."""
    from rnnprep import registry
    from rnnprep.errors import RnnprepError
    from rnnprep.grading.check import check_source
    from rnnprep.kata import checking

    try:
        kata = registry.default(tuple(Path(p) for p in request.get("katas_dirs", []))).get(request["kata"])
        checking.require_torch()
        result = check_source(kata, request["source"], Path(request.get("filename") or f"{kata.name}.py"),
                              seed=request.get("seed"), timeout=float(request.get("timeout", 10.0)))  # fmt: skip
    except RnnprepError as error:
        return {"problem": str(error)}
    answer = result.to_dict()
    if request.get("record", True):
        try:
            from rnnprep.paths import data_home
            from rnnprep.store import STORE_FILENAME, Store

            checking.record(kata, result, Store.open(data_home() / STORE_FILENAME))
        except RnnprepError as error:  # the grade stands even if it cannot be saved
            answer["warning"] = f"attempt not saved: {error}"
    return answer


def main() -> None:
    """Read the request, print the answer, exit without tearing torch down."""
    try:
        answer = grade(json.loads(sys.stdin.read()))
    except (ValueError, KeyError, TypeError) as error:
        answer = {"problem": f"the notebook's request to the grader was malformed ({error})"}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
