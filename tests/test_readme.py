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


def test_ci_is_a_newcomer_who_runs_both_readme_commands_verbatim_in_a_fresh_venv():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "set -euo pipefail" in lines
    venv = next(i for i, line in enumerate(lines) if line.startswith("python3 -m venv "))
    activate = next(i for i, line in enumerate(lines) if line.startswith("source ") and "/bin/activate" in line)
    quiz, tests = quick_start_commands()
    # The quiz runs with empty input; everything else on its line is the README's.
    quiz_line = lines.index(f"{quiz} < /dev/null")
    assert venv < activate < quiz_line < lines.index(tests)


def test_constraints_pin_the_cpu_torch_and_pyproject_keeps_a_floor():
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text().split()
    assert re.search(r'"torch>=[\d.]+"', (ROOT / "pyproject.toml").read_text())
