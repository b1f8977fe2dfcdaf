"""README opens with the two newcomer commands, and CI runs the test one verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands_install_and_quiz_then_tests():
    quiz, tests = quick_start_commands()
    assert "-c constraints.txt" in quiz and quiz.endswith("rnnprep quiz")
    assert "-c constraints.txt" in tests and tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert quick_start_commands()[1] in ci.splitlines()


def test_constraints_pin_the_cpu_torch_and_pyproject_keeps_a_floor():
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text().split()
    assert re.search(r'"torch>=[\d.]+"', (ROOT / "pyproject.toml").read_text())
