"""docs/writing-katas.md is executable: its files form a kata that `kata lint` accepts, that
a learner can check, and whose hidden suite runs with a user's own pytest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnnprep import registry
from rnnprep.grading.check import check_file
from rnnprep.kata import authoring

DOC = Path(__file__).resolve().parents[1] / "docs" / "writing-katas.md"
BLOCK = re.compile(r"<!-- file: (?P<path>[\w./]+) -->\n```\w*\n(?P<text>.*?)\n```", re.DOTALL)


@pytest.fixture(scope="module")
def kata_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The peephole_lstm kata, written from the doc's code blocks."""
    root = tmp_path_factory.mktemp("my-katas")
    files = {m["path"]: m["text"] for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert {"peephole_lstm/kata.yaml", "peephole_lstm/test_peephole_lstm.py", "peephole_lstm/solution.py"} <= set(files)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    return root


def test_the_documented_kata_passes_lint(kata_dir: Path) -> None:
    items = authoring.lint(kata_dir / "peephole_lstm")
    assert all(item.ok for item in items), [(i.what, i.detail) for i in items if not i.ok]
    assert sum("fails" in i.what and "wrong/" in i.what for i in items) == 2


def test_the_documented_kata_joins_the_path_and_grades(kata_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(registry.KATAS_ENV, str(kata_dir))
    kata = registry.get("peephole_lstm")
    assert registry.default().names()[-1] == "peephole_lstm"
    wrong = check_file(kata, kata.wrong_fixtures / "output_gate_sees_old_cell.py", seed=2)
    assert not wrong.passed and wrong.tests and "wrong values" in wrong.tests[0].message


def test_the_documented_pytest_line_works(kata_dir: Path, tmp_path: Path) -> None:
    suite = kata_dir / "peephole_lstm" / "test_peephole_lstm.py"
    solution = kata_dir / "peephole_lstm" / "solution.py"
    done = subprocess.run([sys.executable, "-m", "pytest", str(suite), "--kata-file", str(solution),
                           "-p", "no:cacheprovider", "-q"], capture_output=True, text=True, cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_the_scaffold_of_kata_new_passes_lint(tmp_path: Path) -> None:
    scaffold = authoring.new("dense_layer", tmp_path)
    assert {p.name for p in scaffold.files} >= {"kata.yaml", "README.md", "dense_layer.py", "solution.py",
                                                "test_dense_layer.py", "no_bias.py"}  # fmt: skip
    assert all(item.ok for item in authoring.lint(scaffold.folder))


def test_kata_new_never_overwrites(tmp_path: Path) -> None:
    authoring.new("dense_layer", tmp_path)
    with pytest.raises(Exception, match="already exists"):
        authoring.new("dense_layer", tmp_path)


def test_the_documented_kata_is_batch_graded_and_checked_in_a_notebook(kata_dir: Path, tmp_path: Path) -> None:
    """A local kata works wherever a shipped one does: `rnnprep grade` and `rnnprep.check()`."""
    import json
    import shutil

    from rnnprep.grading.check import kernel_confinement_expected
    from rnnprep.notebook import check

    folder = kata_dir / "peephole_lstm"
    (tmp_path / "class").mkdir()
    shutil.copy(folder / "solution.py", tmp_path / "class" / "alice.py")
    shutil.copy(folder / "wrong" / "no_peepholes.py", tmp_path / "class" / "bob.py")
    if kernel_confinement_expected():
        done = subprocess.run([sys.executable, "-m", "rnnprep", "grade", "peephole_lstm", str(tmp_path / "class"),
                               "--katas-dir", str(kata_dir), "--json", str(tmp_path / "r.json")],
                              capture_output=True, text=True, timeout=240)  # fmt: skip
        assert done.returncode == 0, done.stderr
        rows = {r["submission"]: r for r in json.loads((tmp_path / "r.json").read_text())["submissions"]}
        assert rows["alice"]["passed"] and not rows["bob"]["passed"] and rows["bob"]["graded"]
    notebook = check("peephole_lstm", str(folder / "solution.py"), katas_dirs=[kata_dir], record=False)
    assert notebook.passed and len(notebook.tests) == 5
