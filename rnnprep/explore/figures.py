"""Draw an ExplorationResult with matplotlib (the `plots` extra); the numbers come computed.

Figures are built with matplotlib.figure.Figure, never pyplot: no GUI backend, no global
state, and a notebook shows them through ExplorationResult._repr_png_.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnprep.explore.result import ExplorationResult

LABELS = {"rnn_tanh": "RNN, tanh", "rnn_relu": "RNN, ReLU", "lstm": "LSTM",
          "lstm_forget_bias_1": "LSTM, forget-gate bias 1", "gru": "GRU"}  # fmt: skip
EXPLODED = {"marker": "x", "color": "crimson", "linestyle": "none", "markersize": 6}


def draw(result: ExplorationResult) -> Figure:
    """The figure of any exploration."""
    return DRAWERS[result.name](result)


def save(result: ExplorationResult, path: Path) -> None:
    """Write the figure as PNG or SVG, chosen by the suffix."""
    figure = draw(result)
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else {}  # reproducible SVG
    figure.savefig(path, dpi=150, bbox_inches="tight", metadata=metadata)


def png_bytes(result: ExplorationResult) -> bytes:
    """The figure as PNG bytes (for notebooks)."""
    buffer = io.BytesIO()
    draw(result).savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _present(values: list[float | None]) -> tuple[list[int], list[float]]:
    """(indices, values) without the missing and non-positive ones (for log axes)."""
    kept = [(index, value) for index, value in enumerate(values) if value is not None and value > 0]
    return [index for index, _ in kept], [value for _, value in kept]


def vanishing_figure(result: ExplorationResult) -> Figure:
    """‖∂L/∂h_t‖ per model on a log axis, each curve's share at t = 0 written beside it."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.add_subplot()
    starts: list[tuple[float, str, str]] = []  # (norm at t = 0, label, colour)
    for model, values in result.series.items():
        steps, norms = _present(values)
        (line,) = axes.plot(steps, norms, label=LABELS.get(model, model), linewidth=2)
        ratio = result.summary["first_over_last"][model]
        if steps and steps[0] == 0 and ratio:
            starts.append((norms[0], f"{ratio:.0e}", line.get_color()))
    axes.set_yscale("log")
    for (norm, text, color), lift in zip(sorted(starts), _spread([math.log10(s[0]) for s in sorted(starts)], axes), strict=True):
        axes.annotate(text, (0, norm), xytext=(-6, lift), textcoords="offset points",
                      ha="right", va="center", fontsize=8, color=color)  # fmt: skip
    last = result.settings["steps"] - 1
    axes.set_xlim(-0.12 * last - 1, last + 1)
    axes.set_xlabel(f"time step t (the loss reads h at t = {last} only)")
    axes.set_ylabel("‖∂L/∂h_t‖  (log scale)")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="lower right", fontsize=9)
    settings = result.settings
    axes.set_title(f"How much gradient reaches step t: H = {settings['hidden']}, recurrent init "
                   f"'{settings['init']}', seed {settings['seed']}\n(left: the share left at t = 0)", fontsize=10)  # fmt: skip
    return figure


def _spread(positions: list[float], axes: Axes, gap_points: float = 9.0) -> list[float]:
    """Vertical offsets (points) that keep labels at sorted log10 positions `gap_points` apart."""
    low, high = (math.log10(limit) for limit in axes.get_ylim())
    points_per_decade = axes.bbox.height / max(high - low, 1e-9)
    placed: list[float] = []
    for position in positions:
        wanted = position * points_per_decade
        placed.append(max(wanted, placed[-1] + gap_points) if placed else wanted)
    return [y - position * points_per_decade for y, position in zip(placed, positions, strict=True)]


def _mark_events(axes: Axes, result: ExplorationResult, label: bool) -> None:
    """A dotted vertical line at each write/read/erase, named above the top panel."""
    for event in result.settings["events"]:
        axes.axvline(event["step"], color="0.4", linestyle=":", linewidth=1)
        if label:
            text = event["flag"] + (f" {event['value']:g}" if event["value"] is not None else "")
            axes.annotate(text, (event["step"], 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                          textcoords="offset points", ha="center", va="bottom", fontsize=8)  # fmt: skip


def gates_figure(result: ExplorationResult) -> Figure:
    """Heatmap of i, f, g, o over time; below it the cell c, the output h and the input value."""
    figure = Figure(figsize=(9, 5.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.2))
    gates = [result.series[name] for name in ("i", "f", "g", "o")]
    image = top.imshow(gates, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    top.set_yticks(range(4), ["i (input)", "f (forget)", "g (candidate)", "o (output)"])
    figure.colorbar(image, ax=top, label="activation")
    _mark_events(top, result, label=True)
    steps = range(len(result.series["c"]))
    bottom.plot(steps, result.series["value"], "o", color="0.6", markersize=3, label="input value")
    bottom.plot(steps, result.series["c"], linewidth=2.5, label="cell c_t")
    bottom.plot(steps, result.series["h"], linewidth=1.5, label="output h_t")
    bottom.axhline(0, color="0.8", linewidth=0.8)
    _mark_events(bottom, result, label=False)
    bottom.set_xlabel("time step t")
    bottom.legend(loc="lower left", fontsize=8, ncols=3)
    figure.suptitle(result.title + "\n(weights set by hand in torch's i, f, g, o layout)", fontsize=10)
    return figure


def clipping_figure(result: ExplorationResult) -> Figure:
    """Loss, gradient norm and update size per SGD step, with and without clipping."""
    figure = Figure(figsize=(8, 8), layout="constrained")
    panels = figure.subplots(3, 1, sharex=True)
    exploding = result.summary["exploding_steps"]
    names = (("loss", "training loss"), ("grad_norm", "gradient norm (before clipping)"),
             ("step_norm", "update size ‖Δθ‖"))  # fmt: skip
    for axes, (quantity, ylabel) in zip(panels, names, strict=True):
        for label, color in (("unclipped", "tab:orange"), ("clipped", "tab:blue")):
            steps, values = _present(result.series[f"{quantity}_{label}"])
            axes.plot(steps, values, color=color, linewidth=1.2, label=f"{label}")
        unclipped = result.series[f"{quantity}_unclipped"]
        marked = [(s, unclipped[s]) for s in exploding if unclipped[s] is not None and unclipped[s] > 0]
        if marked:
            axes.plot(*zip(*marked, strict=True), **EXPLODED, label="exploding step (unclipped)")
        axes.set_yscale("log")
        axes.set_ylabel(ylabel, fontsize=9)
        axes.grid(True, alpha=0.3)
    panels[1].axhline(result.settings["max_norm"], color="tab:blue", linestyle="--", linewidth=1,
                      label=f"max_norm = {result.settings['max_norm']:g}")  # fmt: skip
    panels[2].axhline(result.summary["step_bound"], color="tab:blue", linestyle="--", linewidth=1,
                      label=f"lr × max_norm = {result.summary['step_bound']:g}")  # fmt: skip
    for axes in panels:
        axes.legend(fontsize=8, loc="upper right")
    panels[2].set_xlabel("SGD step")
    settings = result.settings
    figure.suptitle(f"{result.title}\n{settings['task']}, T = {settings['sequence_length']}, H = {settings['hidden']}, "
                    f"lr = {settings['learning_rate']:g}, W_hh {settings['recurrent_init']}, seed {settings['seed']}",
                    fontsize=10)  # fmt: skip
    return figure


def dropout_figure(result: ExplorationResult) -> Figure:
    """Left: the unit's outputs in eval and train mode. Right: mean train output over p."""
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(1.4, 1))
    edges = result.series["bin_edges"]
    evaluated, trained = result.series["eval_counts"], result.series["train_counts"]
    left.stairs(evaluated, edges, fill=True, alpha=0.5, label="eval mode: a")
    left.stairs(trained, edges, linewidth=1.5, label="train mode: 0 or a/(1-p)")
    tallest = max([*evaluated, *trained[1:]])  # type: ignore[type-var]
    left.set_ylim(0, 1.35 * tallest)  # the bar at 0 is p of all outputs: cut, and labelled
    summary, p = result.summary, result.settings["p"]
    left.annotate(f"{summary['zero_outputs']} outputs ({summary['dropped_fraction']:.0%}) are exactly 0 ↑",
                  (edges[0], 1.3 * tallest), xytext=(4, 0), textcoords="offset points", va="top", fontsize=8)  # fmt: skip
    for mean, style, label in ((summary["eval_mean"], "-", "eval"), (summary["train_mean"], "--", "train")):
        left.axvline(mean, color="k", linestyle=style, linewidth=1, label=f"{label} mean {mean:.3f}")
    left.set_xlabel("unit output")
    left.set_ylabel("count")
    left.legend(fontsize=8)
    left.set_title(f"nn.Dropout(p={p:g}), {result.settings['samples']} inputs; kept outputs are "
                   f"a × {summary['kept_scale']:.3g}", fontsize=9)  # fmt: skip
    right.plot(result.series["p"], result.series["train_mean_over_eval_mean"], "o-", label="inverted dropout (× 1/(1-p))")
    right.plot(result.series["p"], result.series["without_scaling"], "s--", label="without the 1/(1-p)")
    right.set_ylim(0, 1.2)
    right.set_xlabel("p (drop probability)")
    right.set_ylabel("train-mode mean / eval-mode mean")
    right.legend(fontsize=8, loc="lower left")
    right.grid(True, alpha=0.3)
    figure.suptitle(result.title, fontsize=10)
    return figure


DRAWERS: dict[str, Callable[[ExplorationResult], Figure]] = {
    "vanishing": vanishing_figure,
    "gates": gates_figure,
    "clipping": clipping_figure,
    "dropout": dropout_figure,
}
