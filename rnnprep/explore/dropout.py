"""Dropout in train and eval mode: one unit's outputs, and why inverted dropout scales by 1/(1-p).

A sigmoid unit sees many inputs, so its activation a has a distribution. nn.Dropout(p) in
eval mode passes a through; in train mode it outputs 0 with probability p and a/(1-p)
otherwise, so the mean output is the same in both modes. Without the 1/(1-p) the train
mean would be (1-p) times the eval mean, and the next layer would see other scales in
training than at test time.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnprep.explore.result import ExplorationResult
from rnnprep.explore.threads import single_thread

SAMPLES = 20_000  # inputs to the unit, i.e. draws of its output
BINS = 40
P_GRID = tuple(round(0.1 * k, 1) for k in range(10))  # 0.0 … 0.9 for the mean-vs-p curve


def unit_activations(seed: int) -> torch.Tensor:
    """a = σ(z) for z ~ N(0, 1): one unit's activation over SAMPLES inputs."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(SAMPLES, generator=generator, dtype=torch.float64).sigmoid()  # (N,)


def dropped(activations: torch.Tensor, p: float, train: bool, seed: int) -> torch.Tensor:
    """nn.Dropout(p) applied to the activations in train or eval mode (masks from seed + 1)."""
    torch.manual_seed(seed + 1)  # not `seed`: the same stream as the activations would tie mask to value
    layer = nn.Dropout(p).train(train)
    return layer(activations)  # (N,)


def histogram(values: torch.Tensor, edges: torch.Tensor) -> list[float]:
    """Counts of values per bin (the last bin includes its right edge)."""
    return torch.histogram(values, bins=edges).hist.tolist()


def measure_dropout(p: float, seed: int) -> ExplorationResult:
    """A unit's outputs through nn.Dropout(p): eval vs train distribution and means, and means over p."""
    if not 0 <= p < 1:
        raise ValueError(f"p must be in [0, 1), got {p}")
    with single_thread(), torch.no_grad():
        activations = unit_activations(seed)  # (N,)
        evaluated = dropped(activations, p, train=False, seed=seed)  # (N,)
        trained = dropped(activations, p, train=True, seed=seed)  # (N,)
        kept = trained != 0  # (N,)
        edges = torch.linspace(0.0, 1.0 / (1.0 - p), BINS + 1, dtype=torch.float64)  # (BINS+1,)
        ratios = [dropped(activations, q, train=True, seed=seed).mean().item() / activations.mean().item() for q in P_GRID]
    standard_error = trained.std().item() / SAMPLES**0.5
    return ExplorationResult(
        name="dropout",
        title=f"One unit through nn.Dropout(p={p:g}): train vs eval mode",
        series={"bin_edges": edges.tolist(), "eval_counts": histogram(evaluated, edges),
                "train_counts": histogram(trained, edges), "p": list(P_GRID),
                "train_mean_over_eval_mean": ratios, "without_scaling": [(1 - q) * r for q, r in zip(P_GRID, ratios, strict=True)]},
        settings={"p": p, "seed": seed, "samples": SAMPLES, "unit": "a = sigmoid(z), z ~ N(0, 1)",
                  "index": "histograms: bins between bin_edges; curves: the values of p"},
        summary={"eval_mean": evaluated.mean().item(), "train_mean": trained.mean().item(),
                 "train_mean_standard_error": standard_error,
                 "zero_outputs": int((~kept).sum().item()),
                 "dropped_fraction": 1 - kept.double().mean().item(),
                 "kept_scale": (trained[kept] / activations[kept]).mean().item() if kept.any() else None,
                 "expected_scale": 1 / (1 - p)},
    )
