"""Grading kata submissions: the hidden pytest suites run here, the submission in the sandbox.

    from rnnprep.grading.check import check_file
    result = check_file(kata, Path("katas/lstm/lstm.py"), seed=None, timeout=10.0)
    result.passed, result.seed, result.tests, result.isolation, result.to_dict()

Modules, bottom up: types (plain data), spec (cases, calls, return signatures), cases (drawing),
compare, messages, torch_reference, suite (what hidden suites are written with), grader (the
pytest plugin object of a run), plugin (the pytest entry point), check (one check), render.
Importing this package loads neither numpy nor torch.
"""
