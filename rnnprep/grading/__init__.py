"""Grading of kata submissions against torch, in a child process.

Public API (the CLI imports it lazily; importing this package loads neither numpy nor torch)::

    result = check_file("lstm", Path("katas/lstm/lstm.py"), seed=None, timeout=10.0)
    print(render_result(result, style))
    result.passed, result.seed, result.tests, result.to_dict()
"""

from __future__ import annotations

from rnnprep.grading.result import CheckResult, TestResult, render_result
from rnnprep.grading.runner import DEFAULT_TIMEOUT, check_file

__all__ = ["DEFAULT_TIMEOUT", "CheckResult", "TestResult", "check_file", "render_result"]
