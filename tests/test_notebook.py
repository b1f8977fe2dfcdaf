"""Katas in Jupyter: source rebuilt from cells, check() grading in a separate process, the
HTML result, the %%kata magic, and generated notebooks executed on a real ipykernel.
"""

from __future__ import annotations

import html as html_module
import json
import linecache
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from rnnprep import registry
from rnnprep.grading.types import CheckResult, Stage, TestOutcome
from rnnprep.notebook import KataCheck, check, generate
from rnnprep.notebook.html import result_html
from rnnprep.notebook.source import SourceError, assemble, needed_names

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "lstm.py").read_text()
GATE_ORDER = (ROOT / "tests" / "fixtures" / "grading" / "lstm" / "gate_order.py").read_text()


def cell(source: str, namespace: dict[str, Any], number: int) -> None:
    """Run `source` as a notebook cell would: __main__, its text in linecache."""
    filename = f"<test-cell-{number}-{id(namespace)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)


def notebook_namespace(*cells: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for number, source in enumerate(cells):
        cell(source, namespace, number)
    return namespace


# --- the source of a function, rebuilt from cells -----------------------------------------------


def test_helpers_from_other_cells_modules_and_constants_come_along() -> None:
    ns = notebook_namespace(
        "import numpy as np\nfrom math import sqrt as root\nSCALE = 0.5\n",
        "def sigmoid(a):\n    return 0.5 * (1 + np.tanh(SCALE * a))\n",
        "class Box:\n    def size(self):\n        return root(4)\n",
        "def lstm_forward(x):\n    return sigmoid(x) * Box().size()\n",
    )
    source = assemble([ns["lstm_forward"]], ["lstm_forward"])
    assert "import numpy as np" in source and "from math import sqrt as root" in source
    assert "SCALE = 0.5" in source and "def sigmoid(a):" in source and "class Box:" in source
    module: dict[str, Any] = {}
    exec(compile(source, "assembled", "exec"), module)  # it stands on its own
    assert module["lstm_forward"](0.0) == 1.0


def test_a_function_with_another_name_is_bound_to_the_entry() -> None:
    ns = notebook_namespace("def my_lstm(x):\n    return x\n")
    assert assemble([ns["my_lstm"]], ["lstm_forward"]).rstrip().endswith("lstm_forward = my_lstm")


def test_a_missing_helper_is_named_with_how_to_pass_it() -> None:
    ns = notebook_namespace("def lstm_forward(x):\n    return sigmoid(x)\n")
    with pytest.raises(SourceError) as raised:
        assemble([ns["lstm_forward"]], ["lstm_forward"])
    assert "uses `sigmoid`, which is not defined" in str(raised.value)
    assert "helpers=[sigmoid]" in str(raised.value)
    helper = notebook_namespace("def sigmoid(a):\n    return a\n")["sigmoid"]
    assert "def sigmoid" in assemble([ns["lstm_forward"]], ["lstm_forward"], helpers=[helper])


def test_what_cannot_travel_is_refused_with_the_fix() -> None:
    ns = notebook_namespace("import numpy as np\nTABLE = np.ones(3)\n", "def lstm_forward(x):\n    return TABLE\n")
    with pytest.raises(SourceError, match="`TABLE` is a ndarray from your notebook"):
        assemble([ns["lstm_forward"]], ["lstm_forward"])


def test_local_names_and_arguments_are_not_globals() -> None:
    source = "def f(a, *rest, k=1):\n    total = 0\n    for i in range(len(rest)):\n        total += i\n    return [y for y in rest], total, g\n"
    assert set(needed_names(source)) == {"range", "len", "g"}  # builtins are resolved later


# --- check(): graded in another process -----------------------------------------------------------


def test_check_grades_a_function_and_records_the_attempt(isolated_home: Path) -> None:
    ns = notebook_namespace(SOLUTION)
    result = check("lstm", ns["lstm_forward"], seed=5)
    assert isinstance(result, KataCheck) and result.passed and result.seed == 5
    assert result.to_dict()["kata"] == "lstm" and len(result.tests) == 7
    assert "lstm: all 7 tests passed" in repr(result) and "check('lstm', ..., seed=5)" in repr(result)
    stats = subprocess.run([sys.executable, "-m", "rnnprep", "stats", "--json"], capture_output=True, text=True,
                           env={**os.environ}, check=True)  # fmt: skip
    assert json.loads(stats.stdout)["katas"]["lstm"]["status"] == "passed"


def test_check_takes_a_file_and_names_the_mistake(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(GATE_ORDER)
    result = check("lstm", str(path), record=False)
    assert not result.passed and result.diagnosis[0] == "gate-order"
    assert "Gate blocks read in the wrong order" in result._repr_html_()


def test_check_refuses_torch_like_the_cli() -> None:
    ns = notebook_namespace("import torch\ndef lstm_forward(x, *args):\n    return torch.zeros(1)\n")
    result = check("lstm", ns["lstm_forward"], record=False)
    assert not result.passed and not result.tests
    assert result.error is not None and "torch" in result.error and "NumPy" in result.error


def test_check_explains_how_to_call_it() -> None:
    from rnnprep.errors import RnnprepError

    with pytest.raises(RnnprepError, match=r"check\('lstm', lstm_forward\)"):
        check("lstm", 42)


def test_the_html_is_escaped_and_says_what_to_study() -> None:
    test = TestOutcome("t", False, "Called f(...)\noutput: <b>wrong</b>\nWhere: at t=0", ["gate-order"], Stage.VALUE)
    page = result_html(CheckResult("lstm", 3, Path("lstm.py"), [test], expected_tests=1))
    assert "<b>wrong</b>" not in page and html_module.escape("<b>wrong</b>") in page
    assert "Where it first diverges" in page and "rnnprep quiz --id" in page and "FAILED (0 of 1 tests passed)" in page


# --- generated notebooks on a real kernel -------------------------------------------------------


def test_generated_notebooks_are_plain_nbformat_4_for_the_whole_path(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rnnprep.cli import cli

    result = CliRunner().invoke(cli, ["kata", "--notebook", "--all", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("*.ipynb"))
    assert [p.name for p in written] == [generate.path_name(k) for k in registry.default().katas]
    for path in written:
        document = nbformat.read(str(path), as_version=4)
        nbformat.validate(document)
        kinds = [c.cell_type for c in document.cells]
        assert kinds[:4] == ["markdown", "markdown", "code", "code"] and kinds.count("markdown") >= 5
        assert "raise NotImplementedError" in document.cells[2].source
        assert document.cells[3].source.startswith("from rnnprep import check")
        assert all("<details>" in c.source for c in document.cells[5:])
        assert set(document.metadata) == {"kernelspec", "language_info"}


def execute(document: Any, cwd: Path) -> Any:
    Path(os.environ["HOME"]).mkdir(parents=True, exist_ok=True)  # the kernel keeps its folders in HOME
    NotebookClient(document, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return document


def outputs_text(cell_node: Any) -> str:
    parts = []
    for output in cell_node.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
        parts.append(output.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


def test_a_generated_notebook_grades_right_wrong_helped_and_torch_cells(tmp_path: Path) -> None:
    document = generate.notebook(registry.get("lstm"))
    document.cells[2].source = SOLUTION  # the reference pasted into the starter cell
    cells = document.cells[:4]
    new = nbformat.v4.new_code_cell
    sigmoid_free = GATE_ORDER.replace("def sigmoid(", "def _unused_sigmoid(")
    assert sigmoid_free != GATE_ORDER and "sigmoid(" in sigmoid_free
    cells += [
        new(GATE_ORDER.replace("lstm_forward", "wrong_lstm")),
        new("check('lstm', wrong_lstm)"),
        new("import numpy as np\n\ndef sigmoid(a):\n    return 1 / (1 + np.exp(-a))"),  # a helper in its own cell
        new(SOLUTION.split("def lstm_forward", 1)[0].replace("def sigmoid", "def _own_sigmoid")
            + "def helped_lstm" + SOLUTION.split("def lstm_forward", 1)[1]),
        new("check('lstm', helped_lstm).passed"),
        new("import torch\n\ndef torch_lstm(x, h0, c0, W_ih, W_hh, b_ih, b_hh):\n    return torch.zeros(1)"),
        new("check('lstm', torch_lstm)"),
        new("%load_ext rnnprep"),
        new("%%kata lstm --no-record\n" + GATE_ORDER),
    ]
    document.cells = cells
    execute(document, tmp_path)
    passed, wrong, helped, torch_refused, magic = (outputs_text(document.cells[i]) for i in (3, 5, 8, 10, 12))
    assert "lstm: all 7 tests passed" in passed
    assert "Likely mistake (gate-order)" in wrong and "Gate blocks read in the wrong order" in wrong
    assert helped.strip().endswith("True")
    assert "torch" in torch_refused and "FAILED" in torch_refused and "isolation" in torch_refused
    assert "gate-order" in magic
    assert not any(o.get("output_type") == "error" for c in document.cells for o in c.get("outputs", []))
