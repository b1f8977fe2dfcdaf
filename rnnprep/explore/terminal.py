"""Draw an ExplorationResult as text: Unicode line charts (uniplot) and a character heatmap.

Used when matplotlib is not installed, and by `rnnprep explore NAME` without --out. With
colour each series has its own colour; without it, its own marker character.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from uniplot import plot_to_string

from rnnprep.explore.result import ExplorationResult

MARKERS = ["*", "+", "o", "x", "#", "~"]
BARS = " ▁▂▃▄▅▆▇█"  # a value from its row's low (" ") to its high ("█")
LEGEND_MARGIN = 12  # characters uniplot adds right of the plot area (the y labels)


@dataclass(frozen=True)
class TextCanvas:
    """How wide the text may be and whether to colour it."""

    width: int = 80
    color: bool = False


def render(result: ExplorationResult, canvas: TextCanvas) -> str:
    """The text rendering of any exploration."""
    return RENDERERS[result.name](result, canvas)


def line_chart(series: dict[str, list[float | None]], canvas: TextCanvas, title: str, log: bool = False,
               xs: list[float] | None = None, height: int = 14) -> str:  # fmt: skip
    """Several named series in one uniplot chart; missing (and, on a log axis, non-positive) values are gaps."""
    names, ys = [], []
    for name, values in series.items():
        cleaned = [math.nan if v is None or (log and v <= 0) or not math.isfinite(v) else v for v in values]
        if any(not math.isnan(v) for v in cleaned):
            names.append(name)
            ys.append(cleaned)
    if not ys:
        return f"{title}\n(nothing to draw: every value is missing)"
    options: dict[str, object] = (
        {"color": True} if canvas.color else {"color": False, "character_set": "ascii", "force_ascii_characters": MARKERS}
    )
    chart = plot_to_string(ys, xs=[xs] * len(ys) if xs is not None else None, lines=canvas.color,
                           legend_labels=names, y_as_log=log, title=title, height=height, x_gridlines=[],
                           width=max(20, canvas.width - LEGEND_MARGIN), **options)  # fmt: skip
    return "\n".join(line.rstrip() for line in chart.splitlines())


def vanishing_text(result: ExplorationResult, canvas: TextCanvas) -> str:
    """The five curves on a log axis, then each one's share at t = 0."""
    settings = result.settings
    chart = line_chart(result.series, canvas, log=True, xs=list(range(settings["steps"])),
                       title=f"‖∂L/∂h_t‖ (log) over t = 0…{settings['steps'] - 1}; the loss reads the last step")  # fmt: skip
    shares = [f"  {model:<20} {_sci(ratio)}" for model, ratio in result.summary["first_over_last"].items()]
    return "\n".join([chart, "", "‖∂L/∂h_0‖ / ‖∂L/∂h_T-1‖ (how much gradient reaches t = 0):", *shares])


def _sci(value: float | None) -> str:
    """1.2e-11, or 'none' for a missing value."""
    return "none" if value is None else f"{value:.1e}"


def _bars(values: list[float | None], low: float, high: float) -> str:
    """One character per value, its height the value's place between low and high."""
    top = len(BARS) - 1
    cells = []
    for value in values:
        if value is None:
            cells.append("?")
            continue
        share = (min(max(value, low), high) - low) / (high - low)
        cells.append(BARS[round(share * top)])
    return "".join(cells)


def gates_text(result: ExplorationResult, canvas: TextCanvas) -> str:
    """One row of bars per gate (and c, h), one column per step, events marked above."""
    steps = len(result.series["f"])
    repeat = max(1, min(3, (canvas.width - 4) // steps))  # columns per step when there is room
    marks = [" "] * steps
    for event in result.settings["events"]:
        marks[event["step"]] = event["flag"][0].upper()
    rows = [("", "".join(mark + " " * (repeat - 1) for mark in marks))]  # a letter at the step's first column
    for name, low, high in (("i", 0, 1), ("f", 0, 1), ("g", -1, 1), ("o", 0, 1), ("c", -1, 1), ("h", -1, 1)):
        rows.append((name, "".join(bar * repeat for bar in _bars(result.series[name], low, high))))
    summary = result.summary
    lines = [result.title, ""]
    lines += [f"{name:<2} {cells}".rstrip() for name, cells in rows]
    lines += _wrapped([
        "",
        f"Columns: steps t = 0…{steps - 1}; W write, R read, E erase. A bar's height is the value: gates "
        "i (input), f (forget), o (output) from 0 to 1; g (candidate), c (cell), h (output) from -1 to 1.",
        f"Forget gate while holding: ≥ {summary['forget_while_holding_min']:.4f}; at erase: "
        f"{summary['forget_at_erase']:.4f}. Cell kept from write to erase: "
        f"{summary['cell_kept_from_write_to_erase']:.1%}.",
    ], canvas)  # fmt: skip
    return "\n".join(lines)


def _wrapped(paragraphs: list[str], canvas: TextCanvas) -> list[str]:
    """Each paragraph wrapped to the canvas width (an empty one stays a blank line)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += textwrap.wrap(paragraph, width=max(30, canvas.width)) or [""]
    return lines


def clipping_text(result: ExplorationResult, canvas: TextCanvas) -> str:
    """Loss and update size per step, both runs on log axes, then the exploding steps."""
    series = result.series
    steps = list(range(result.settings["steps"]))
    loss = line_chart({"unclipped": series["loss_unclipped"], "clipped": series["loss_clipped"]}, canvas,
                      title="training loss (log) per SGD step", log=True, height=10, xs=steps)  # fmt: skip
    updates = line_chart({"unclipped": series["step_norm_unclipped"], "clipped": series["step_norm_clipped"]}, canvas,
                         title="update size ‖Δθ‖ (log) per SGD step", log=True, height=10, xs=steps)  # fmt: skip
    summary = result.summary
    exploding = summary["exploding_steps"]
    listed = ", ".join(map(str, exploding[:12])) + (", …" if len(exploding) > 12 else "")
    facts = [f"exploding steps without clipping ({len(exploding)}): {listed or 'none'}",
             f"largest update: {summary['largest_step_unclipped']:.3g} unclipped, "
             f"{summary['largest_step_clipped']:.3g} clipped (bound lr × max_norm = {summary['step_bound']:g})",
             f"final loss: {_number(summary['final_loss_unclipped'])} unclipped, {_number(summary['final_loss_clipped'])} clipped"]  # fmt: skip
    if summary["diverged_at"] is not None:
        facts.append(f"the unclipped run diverged (loss not finite) at step {summary['diverged_at']}")
    return "\n".join([*_wrapped([result.title], canvas), "", loss, "", updates, "", *_wrapped(facts, canvas)])


def _number(value: float | None) -> str:
    """Three significant digits, or 'diverged' for a missing value."""
    return "diverged" if value is None else f"{value:.3g}"


def dropout_text(result: ExplorationResult, canvas: TextCanvas) -> str:
    """Both histograms as lines (the bar at 0 cut), then the means and the scale."""
    series, summary, p = result.series, result.summary, result.settings["p"]
    edges = series["bin_edges"]
    centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]  # type: ignore[operator]
    trained = [None, *series["train_counts"][1:]]  # the first bin holds the dropped outputs: said below
    chart = line_chart({"eval": series["eval_counts"], "train (bin at 0 left out)": trained}, canvas, xs=centres,  # type: ignore[arg-type]
                       title=f"outputs of one unit through nn.Dropout(p={p:g}): counts per value", height=12)  # fmt: skip
    ratios = "  ".join(f"{q:g}: {r:.3f}" for q, r in zip(series["p"], series["train_mean_over_eval_mean"], strict=True))
    facts = [f"train mode: {summary['zero_outputs']} of {result.settings['samples']} outputs are 0 "
             f"({summary['dropped_fraction']:.1%}); the others are a × {summary['kept_scale']:.4g} "
             f"(1/(1-p) = {summary['expected_scale']:.4g})",
             f"mean output: eval {summary['eval_mean']:.4f}, train {summary['train_mean']:.4f} "
             f"(± {summary['train_mean_standard_error']:.4f} standard error)",
             "train mean / eval mean for each p (inverted dropout):"]  # fmt: skip
    wrapped = textwrap.wrap(ratios, width=max(30, canvas.width - 2), initial_indent="  ", subsequent_indent="  ")
    return "\n".join([chart, "", *_wrapped(facts, canvas), *wrapped])


RENDERERS: dict[str, Callable[[ExplorationResult, TextCanvas], str]] = {
    "vanishing": vanishing_text,
    "gates": gates_text,
    "clipping": clipping_text,
    "dropout": dropout_text,
}
