"""`rnnprep explore`: the numbers behind each plot, the figures, the terminal fallback, bad input."""

from __future__ import annotations

import inspect
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnprep.bank import load_questions
from rnnprep.cli import cli
from rnnprep.explore import EXPLORATIONS, ExplorationResult, explore
from rnnprep.explore.clipping import LEARNING_RATE
from rnnprep.explore.gates import EVENTS
from rnnprep.explore.vanishing import gradient_norms, make_cell

NO_MATPLOTLIB = "import sys; sys.modules['matplotlib'] = None; from rnnprep.cli import main; main()"


@pytest.fixture(scope="module")
def vanishing() -> ExplorationResult:
    return explore("vanishing")


@pytest.fixture(scope="module")
def clipping() -> ExplorationResult:
    return explore("clipping")


def first_share(result: ExplorationResult, model: str) -> float:
    return result.summary["first_over_last"][model]


# --- the numbers ---------------------------------------------------------------------------------


def test_vanishing_is_geometric_for_the_tanh_rnn(vanishing):
    norms = np.log10(vanishing.series["rnn_tanh"])  # (T,)
    steps = np.arange(len(norms))
    slope, intercept = np.polyfit(steps, norms, 1)
    fitted = slope * steps + intercept
    r_squared = 1 - ((norms - fitted) ** 2).sum() / ((norms - norms.mean()) ** 2).sum()
    # Measured: R^2 = 0.99995, each step back keeps 10^-0.215 = 0.61 of the gradient.
    assert r_squared > 0.99, r_squared
    assert 0.3 < 10**-slope < 0.9, 10**-slope
    assert first_share(vanishing, "rnn_tanh") < 1e-8  # measured 3.2e-11


def test_an_lstm_with_forget_bias_1_keeps_orders_of_magnitude_more_gradient_at_t0(vanishing):
    with_bias = first_share(vanishing, "lstm_forget_bias_1")  # measured 6.8e-5
    assert with_bias > 1e4 * first_share(vanishing, "rnn_tanh")  # measured 3.2e-11
    assert with_bias > 1e4 * first_share(vanishing, "lstm")  # measured 3.4e-11: torch's init


def test_identity_init_lets_a_relu_rnn_keep_its_gradient():
    result = explore("vanishing", hidden=32, init="identity")
    assert first_share(result, "rnn_relu") > 0.1  # IRNN; measured 0.49 at H = 64


def test_the_gradient_norms_are_the_backward_recursion_of_a_tanh_rnn():
    torch.manual_seed(0)
    cell = make_cell("rnn_tanh", hidden=5, init="default")
    inputs = torch.randn(6, 1, 8, dtype=torch.float64)  # (T, B=1, I)
    norms = gradient_norms(cell, inputs)
    with torch.no_grad():
        h, states = torch.zeros(1, 5, dtype=torch.float64), []
        for x in inputs:
            h = cell(x, h)  # (1, H)
            states.append(h)
        delta = torch.ones(1, 5, dtype=torch.float64)  # dL/dh_{T-1} for L = sum(h_{T-1})
        expected = [delta.norm().item()]
        for t in range(len(states) - 1, 0, -1):
            delta = (delta * (1 - states[t] ** 2)) @ cell.weight_hh  # dL/dh_{t-1} = W_hh^T diag(1-h_t^2) dL/dh_t
            expected.append(delta.norm().item())
    assert norms == pytest.approx(expected[::-1], rel=1e-10)


def test_the_gates_hold_then_release():
    result = explore("gates")
    forget, cell, output = result.series["f"], result.series["c"], result.series["h"]
    write, read, erase = EVENTS[0][0], EVENTS[1][0], EVENTS[2][0]
    assert min(forget[write + 1 : erase]) > 0.99  # measured 0.99966
    assert forget[erase] < 0.01  # measured 0.00034
    assert abs(cell[erase - 1] / cell[write] - 1) < 0.01  # kept 99.5% over 15 steps
    assert max(abs(c) for c in cell[erase : EVENTS[3][0]]) < 0.01  # erased until the next write
    assert abs(output[read]) > 0.5 and max(abs(h) for t, h in enumerate(output) if t not in (read, EVENTS[4][0])) < 0.01


def test_clipping_bounds_every_step(clipping):
    bound = LEARNING_RATE * clipping.settings["max_norm"]
    clipped = clipping.series["step_norm_clipped"]
    assert all(step is not None and step <= bound * (1 + 1e-9) for step in clipped)
    assert clipping.summary["largest_step_unclipped"] > 10 * bound  # measured 1.5e4
    assert len(clipping.summary["exploding_steps"]) >= 3  # measured 72 at seed 0
    assert clipping.summary["final_loss_clipped"] < clipping.summary["final_loss_unclipped"]  # 0.0165 vs 0.81


def test_clipping_bounds_the_step_for_any_threshold():
    result = explore("clipping", steps=40, hidden=16, seed=3, max_norm=5.0)
    assert max(result.series["step_norm_clipped"]) <= LEARNING_RATE * 5.0 * (1 + 1e-9)


def test_dropout_train_mean_matches_eval():
    result = explore("dropout", p=0.5)
    summary = result.summary
    assert abs(summary["train_mean"] - summary["eval_mean"]) < 4 * summary["train_mean_standard_error"]
    assert summary["kept_scale"] == pytest.approx(2.0, rel=1e-12)  # exactly 1/(1-p)
    assert abs(summary["dropped_fraction"] - 0.5) < 4 * math.sqrt(0.25 / result.settings["samples"])
    assert all(abs(r - 1) < 0.05 for r in result.series["train_mean_over_eval_mean"])
    assert result.series["without_scaling"][-1] == pytest.approx(0.1, abs=0.01)  # p = 0.9 keeps 10%


def test_explorations_leave_torch_threads_as_they_were():
    before = torch.get_num_threads()
    explore("dropout")
    assert torch.get_num_threads() == before


# --- the registry ---------------------------------------------------------------------------------


def test_each_exploration_has_a_default_for_every_keyword_of_its_measure_function():
    import rnnprep.explore.clipping
    import rnnprep.explore.dropout
    import rnnprep.explore.gates
    import rnnprep.explore.vanishing

    for name, exploration in EXPLORATIONS.items():
        measure = getattr(getattr(rnnprep.explore, name), f"measure_{name}")
        assert tuple(inspect.signature(measure).parameters) == exploration.takes, name


def test_every_exploration_can_be_drawn_both_ways():
    from rnnprep.explore.figures import DRAWERS
    from rnnprep.explore.terminal import RENDERERS

    assert set(DRAWERS) == set(RENDERERS) == set(EXPLORATIONS)


def test_an_option_an_exploration_does_not_take_is_refused():
    from rnnprep.explore import ExploreError

    with pytest.raises(ExploreError, match="does not take init"):
        explore("dropout", init="identity")


def test_quiz_explanations_point_to_every_exploration():
    pointing: dict[str, list[str]] = {}
    for question in load_questions():
        if "rnnprep explore" in question.explanation:
            name = question.explanation.rsplit("See: rnnprep explore ", 1)[-1]
            assert name in EXPLORATIONS, (question.id, name)  # and the pointer ends the explanation
            pointing.setdefault(name, []).append(question.id)
    assert {name: len(ids) >= 3 for name, ids in pointing.items()} == dict.fromkeys(EXPLORATIONS, True), pointing


# --- the command ---------------------------------------------------------------------------------


def test_json_has_a_series_per_model_indexed_by_t(runner):
    result = runner.invoke(cli, ["explore", "vanishing", "--json", "--steps", "12", "--hidden", "8"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["series"]) == {"rnn_tanh", "rnn_relu", "lstm", "lstm_forget_bias_1", "gru"}
    assert all(len(values) == 12 for values in data["series"].values())
    assert data["settings"]["steps"] == 12 and data["settings"]["hidden"] == 8 and data["settings"]["init"] == "default"


def non_blank_png(path: Path) -> None:
    """A PNG that is not one flat colour: drawn lines and text cover part of it."""
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)[..., :3]  # (height, width, 3)
    not_white = (pixels < 0.9).any(axis=-1).mean()
    assert 0.01 < not_white < 0.9, not_white
    assert pixels.std() > 0.05


@pytest.mark.parametrize(("name", "options"), [("vanishing", []), ("gates", []), ("clipping", ["--steps", "80"]), ("dropout", [])])
def test_each_png_is_written_and_not_blank(runner, tmp_path, name, options):
    out = tmp_path / f"{name}.png"
    result = runner.invoke(cli, ["explore", name, "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    non_blank_png(out)


def test_svg_too(runner, tmp_path):
    out = tmp_path / "dropout.SVG"
    assert runner.invoke(cli, ["explore", "dropout", "--out", str(out)]).exit_code == 0
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_in_a_notebook_a_result_shows_as_its_figure():
    assert explore("dropout")._repr_png_()[:4] == b"\x89PNG"


def test_without_out_the_terminal_drawing_fits_the_width(runner, monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    result = runner.invoke(cli, ["explore", "gates"])
    assert result.exit_code == 0, result.output
    assert "forget gate" in result.output and "rnnprep explore gates --out" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 72


def test_the_terminal_fallback_works_without_matplotlib(tmp_path):
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "RNNPREP_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", NO_MATPLOTLIB, "explore", "vanishing", "--steps", "30"],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "┌" in done.stdout and "rnn_tanh" in done.stdout and "lstm_forget_bias_1" in done.stdout
    assert 'pip install "rnnprep[plots]"' in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    refused = subprocess.run([sys.executable, "-c", NO_MATPLOTLIB, "explore", "gates", "--out", str(tmp_path / "g.png")],
                             capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert refused.returncode == 2 and 'pip install "rnnprep[plots]"' in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "g.png").exists()


def test_listing_and_help_start_without_torch(tmp_path):
    env = {**os.environ, "RNNPREP_HOME": str(tmp_path / "home")}
    for args in (["explore"], ["explore", "--help"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "rnnprep", *args],
                              capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
        assert not imported & {"torch", "numpy", "matplotlib"}, args
    assert "vanishing" in done.stdout or "Examples" in done.stdout


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["explore", "vanish"], ["no exploration called 'vanish'", "Did you mean 'vanishing'"]),
        (["explore", "vanishing", "--out", "plot.pdf"], ["--out", ".png or .svg"]),
        (["explore", "vanishing", "--steps", "0"], ["--steps", "0"]),
        (["explore", "clipping", "--init", "identity"], ["--init", "does not apply", "--max-norm"]),
        (["explore", "dropout", "--out", "missing-folder/d.png"], ["missing-folder", "does not exist", "--out"]),
    ],
    ids=["unknown-name", "out-suffix", "steps-zero", "foreign-option", "missing-folder"],
)
def test_bad_input_is_one_paragraph_and_exit_2(runner, tmp_path, monkeypatch, args, needles):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, (needle, result.output)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, a folder nobody can create files in")
def test_an_unwritable_out_is_a_clear_error(runner):
    result = runner.invoke(cli, ["explore", "dropout", "--out", "/proc/dropout.png"])
    assert result.exit_code == 2 and "Cannot write /proc/dropout.png" in result.output and "--out" in result.output
    assert isinstance(result.exception, SystemExit)
