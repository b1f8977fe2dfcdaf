"""The built wheel works outside the repository: content ships inside the package."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and install it (no deps, offline) into a fresh venv that sees our deps."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(work / "dist")],
                   cwd=ROOT, check=True, capture_output=True)
    wheel = next((work / "dist").glob("rnnprep-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The new venv sees the packages of the interpreter running the tests (numpy, torch,
    # click, ...) through a .pth file: that works whether the tests run in the base
    # interpreter or in a venv (--system-site-packages would only reach the base one).
    # Their own .pth files are not read, so an editable rnnprep there stays out of the way.
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip
    outer = [p for p in (*site.getsitepackages(), site.getusersitepackages()) if Path(p).is_dir()]
    (purelib / "tested-interpreter.pth").write_text("\n".join(outer) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True, capture_output=True)
    return venv


def run(venv: Path, cwd: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RNNPREP_HOME": str(cwd / "home"), "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(venv / "bin" / "rnnprep"), *args], cwd=cwd, env=env, input=input,
                          capture_output=True, text=True, timeout=120)


def test_wheel_ships_content_and_runs_outside_the_repo(installed: Path, tmp_path: Path):
    located = subprocess.run([str(installed / "bin" / "python"), "-c",
                              "import rnnprep.content as c; print(c.content_root())"],
                             cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(located.stdout.strip()).is_relative_to(installed)
    assert run(installed, tmp_path, "--version").stdout.strip().startswith("rnnprep, version")
    lint = run(installed, tmp_path, "questions", "lint")
    assert lint.returncode == 0, lint.stderr
    quiz = run(installed, tmp_path, "quiz", "--all", "--seed", "1", "-n", "2", input="s\nq\n")
    assert quiz.returncode == 0, quiz.stderr
    assert quiz.stdout.splitlines()[-1] == "Score: 0/0"
    assert "[1/2]" in quiz.stdout


def test_wheel_katas_start_and_check_outside_the_repo(installed: Path, tmp_path: Path):
    listing = run(installed, tmp_path, "kata", "list")
    assert listing.returncode == 0 and "lstm_backward" in listing.stdout
    started = run(installed, tmp_path, "kata", "start", "rnn_cell")
    assert started.returncode == 0, started.stderr
    starter = tmp_path / "katas" / "rnn_cell" / "rnn_cell.py"
    assert starter.is_file() and (tmp_path / "katas" / "rnn_cell" / "README.md").is_file()
    failing = run(installed, tmp_path, "kata", "rnn_cell", "--check", "--json")
    assert failing.returncode == 1 and '"passed": false' in failing.stdout
    solution = run(installed, tmp_path, "kata", "rnn_cell", "--solution", "--force")
    starter.write_text(solution.stdout)
    passing = run(installed, tmp_path, "kata", "rnn_cell", "--check")
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_the_wheel_is_the_rnnprep_the_venv_imports(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import rnnprep, torch; print(rnnprep.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(installed)
