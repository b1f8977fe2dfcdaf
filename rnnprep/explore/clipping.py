"""Gradient-norm clipping: the same small RNN trained twice, with and without clip_grad_norm_.

The task: read a sequence of numbers and output the first one at the end (a memory task,
so the gradient must cross every step). The recurrent weights start orthogonal and scaled
by RECURRENT_GAIN > 1, in the regime where gradients explode now and then. Both runs use
the same data, initial weights and plain SGD steps; the only difference is the clip.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import torch
from torch import nn

from rnnprep.explore.result import ExplorationResult, finite
from rnnprep.explore.threads import single_thread

LEARNING_RATE = 0.05
SEQUENCE_LENGTH = 30
BATCH = 64
RECURRENT_GAIN = 1.1
EXPLODING_FACTOR = 10.0  # a step "explodes" when its gradient norm is this many times the median


@dataclass(frozen=True)
class TrainingRun:
    """Per SGD step: the loss, the gradient norm before clipping, the size of the update."""

    loss: list[float]
    grad_norm: list[float]
    step_norm: list[float]


def memory_task(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (T, B, 1) and the targets (B, 1): each sequence's first number."""
    generator = torch.Generator().manual_seed(seed + 1)
    inputs = torch.randn(SEQUENCE_LENGTH, BATCH, 1, generator=generator, dtype=torch.float64)  # (T, B, 1)
    return inputs, inputs[0].clone()  # (B, 1)


def small_rnn(hidden: int, seed: int) -> nn.ModuleList:
    """A tanh RNN and its linear read-out, recurrent weights orthogonal × RECURRENT_GAIN."""
    torch.manual_seed(seed)
    rnn, readout = nn.RNN(1, hidden).double(), nn.Linear(hidden, 1).double()
    with torch.no_grad():
        nn.init.orthogonal_(rnn.weight_hh_l0)  # (H, H)
        rnn.weight_hh_l0.mul_(RECURRENT_GAIN)
    return nn.ModuleList([rnn, readout])


def train(model: nn.ModuleList, inputs: torch.Tensor, targets: torch.Tensor, steps: int,
          max_norm: float | None) -> TrainingRun:  # fmt: skip
    """Full-batch SGD; clip the global gradient norm to `max_norm` unless it is None."""
    rnn, readout = model
    parameters = list(model.parameters())
    run = TrainingRun([], [], [])
    for _ in range(steps):
        outputs, _ = rnn(inputs)  # (T, B, H)
        loss = (readout(outputs[-1]) - targets).pow(2).mean()  # (B, 1) -> ()
        if not math.isfinite(loss.item()):
            break  # diverged: the rest of the curve is missing
        model.zero_grad()
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(parameters, max_norm if max_norm is not None else math.inf)
        with torch.no_grad():
            before = nn.utils.parameters_to_vector(parameters)  # (P,)
            for p in parameters:
                p -= LEARNING_RATE * p.grad
            moved = (nn.utils.parameters_to_vector(parameters) - before).norm().item()  # the update's size
        run.loss.append(loss.item())
        run.grad_norm.append(grad_norm.item())
        run.step_norm.append(moved)
    return run


def exploding_steps(grad_norms: list[float]) -> list[int]:
    """The steps whose gradient norm is EXPLODING_FACTOR times the run's median or more."""
    usable = [g for g in grad_norms if math.isfinite(g)]
    if not usable:
        return []
    median = statistics.median(usable)
    return [step for step, g in enumerate(grad_norms) if not math.isfinite(g) or g >= EXPLODING_FACTOR * median]


def padded(values: list[float], steps: int) -> list[float | None]:
    """A run's values, None for non-finite ones and for the steps after a divergence."""
    return finite(values) + [None] * (steps - len(values))


def measure_clipping(steps: int, hidden: int, seed: int, max_norm: float) -> ExplorationResult:
    """Train the same RNN with and without clipping; curves of loss, gradient norm and step size."""
    with single_thread():
        inputs, targets = memory_task(seed)  # (T, B, 1), (B, 1)
        runs = {label: train(small_rnn(hidden, seed), inputs, targets, steps, clip)
                for label, clip in (("unclipped", None), ("clipped", max_norm))}  # fmt: skip
    series: dict[str, list[float | None]] = {}
    for label, run in runs.items():
        for quantity in ("loss", "grad_norm", "step_norm"):
            series[f"{quantity}_{label}"] = padded(getattr(run, quantity), steps)
    unclipped, clipped = runs["unclipped"], runs["clipped"]
    return ExplorationResult(
        name="clipping",
        title=f"The same RNN trained with and without clip_grad_norm_(max_norm={max_norm:g})",
        series=series,
        settings={"steps": steps, "hidden": hidden, "seed": seed, "max_norm": max_norm,
                  "learning_rate": LEARNING_RATE, "sequence_length": SEQUENCE_LENGTH, "batch": BATCH,
                  "recurrent_init": f"orthogonal × {RECURRENT_GAIN}", "task": "output the first input at the end",
                  "exploding": f"gradient norm ≥ {EXPLODING_FACTOR:g} × the run's median",
                  "index": "SGD step"},
        summary={"exploding_steps": exploding_steps(unclipped.grad_norm),
                 "step_bound": LEARNING_RATE * max_norm,
                 "largest_step_clipped": max(clipped.step_norm, default=0.0),
                 "largest_step_unclipped": max(unclipped.step_norm, default=0.0),
                 "diverged_at": len(unclipped.loss) if len(unclipped.loss) < steps else None,
                 "final_loss_clipped": series["loss_clipped"][-1],
                 "final_loss_unclipped": series["loss_unclipped"][-1]},
    )
