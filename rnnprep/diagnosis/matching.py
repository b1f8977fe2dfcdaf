"""Name the mistake: compare the user's outputs with every known-wrong variant of the reference.

Correct and buggy recurrent nets sit orders of magnitude apart (~1e-15 against ~1e-1), so a
variant that reproduces the user's outputs to float32 accuracy, while being clearly different
from the correct outputs, identifies the mistake. Nothing matching means an empty list, never
a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis.adapters import KataSpec, spec_of
from rnnprep.diagnosis.forward import PRECISION_LOSS, VARIANTS, Variant
from rnnprep.diagnosis.network import Array, Case, Flags, run, run_many

Outputs = dict[str, Array]
Prepared = tuple[KataSpec, Case, Outputs, Outputs]  # spec, float64 case, user's and correct outputs

# Precision loss: an error within a few times what float16 arithmetic gives on this very case
# (or about 1e-3), which is not a rescaling of the output.
PRECISION_FACTOR = 4.0
PRECISION_FLOOR = 1e-3


def max_diff(a: Outputs, b: Outputs) -> float:
    """Largest absolute difference over all named outputs (inf on any shape mismatch or NaN)."""
    worst = 0.0
    for name, x in a.items():
        y = b[name]
        if x.shape != y.shape:
            return float("inf")
        if x.size:
            d = float(np.max(np.abs(x - y)))
            if not np.isfinite(d):
                return float("inf")
            worst = max(worst, d)
    return worst


def scale_of(outputs: Outputs) -> float:
    """The size that tolerances are relative to: at least 1, else the largest magnitude."""
    finite = [float(np.max(np.abs(x))) for x in outputs.values() if x.size]
    return max([1.0, *[v for v in finite if np.isfinite(v)]])


def tolerances(tolerance: float, scale: float) -> tuple[float, float]:
    """(match, distinct): how close a variant must be to the user, and how far from correct.

    Float32 work against a float64 variant stays well inside `match`; real mistakes sit far
    beyond `distinct`.
    """
    match = scale * max(10.0 * tolerance, 1e-6)
    return match, max(10.0 * match, 1e-3 * scale)


def all_variant_outputs(
    spec: KataSpec, case: Case, variants: list[Variant]
) -> list[tuple[Variant, Outputs]]:
    """Every variant's outputs; variants sharing flags run together, stacked (one loop, not 50)."""
    groups: dict[Flags, list[Variant]] = {}
    for v in variants:
        groups.setdefault(v.flags, []).append(v)
    results = []
    for flags, group in groups.items():
        edited = [v.prep(case) if v.prep else case for v in group]
        for v, c, trace in zip(group, edited, run_many(edited, flags), strict=True):
            out = spec.present(v.post(trace) if v.post else trace, c)
            if v.reorder:
                out = dict(zip(spec.names, (out[n] for n in v.reorder(spec.names)), strict=True))
            results.append((v, out))
    return results


def variants_for(spec: KataSpec) -> list[Variant]:
    """The variants that can describe this kata."""
    return [v for v in VARIANTS if v.applies(spec.family, spec.kind)]


def looks_imprecise(
    spec: KataSpec, case: Case, actual: Outputs, correct: Outputs, scale: float
) -> bool:
    """Off by about what float16 arithmetic loses on this case, and not by a systematic rescaling."""
    if max_diff(actual, correct) > 0.05 * scale:  # far beyond any float16 error: skip the emulation
        return False
    half = spec.present(run(case.astype(np.float16)), case.astype(np.float16))
    half = {n: a.astype(np.float64) for n, a in half.items()}
    if max_diff(actual, correct) > max(
        PRECISION_FACTOR * max_diff(half, correct), PRECISION_FLOOR * scale
    ):
        return False
    diff = np.concatenate([(actual[n] - correct[n]).ravel() for n in correct])  # (N,)
    ref = np.concatenate([correct[n].ravel() for n in correct])  # (N,)
    # Rounding errors are uncorrelated with the values; output * 1.01 is all rescaling.
    k = float(diff @ ref) / max(float(ref @ ref), 1e-300)
    return bool(np.linalg.norm(diff - k * ref) > 0.5 * np.linalg.norm(diff))


def prepare(kata: str, inputs: Mapping[str, Any], actual: Any) -> Prepared | None:
    """The kata spec, the float64 case, the user's named outputs and the correct ones (None if unusable)."""
    spec = spec_of(kata)
    if spec is None:
        return None
    try:
        case = spec.to_case(inputs)
        got = spec.flatten(actual)
        correct = spec.present(run(case), case)
    except (KeyError, ValueError, TypeError, IndexError):
        return None
    # Wrong shapes stay: max_diff makes them match nothing but a variant of the same shapes
    # (y and h returned in each other's place).
    return spec, case, got, correct


def matching_variants(prepared: Prepared, tolerance: float) -> list[Variant]:
    """The variants that reproduce the user's outputs and differ from the correct ones."""
    spec, case, got, correct = prepared
    match, distinct = tolerances(tolerance, scale_of(correct))
    return [
        v
        for v, wrong in all_variant_outputs(spec, case, variants_for(spec))
        if max_diff(wrong, got) <= match and max_diff(wrong, correct) > distinct
    ]


def diagnose(kata: str, inputs: Mapping[str, Any], actual: Any, tolerance: float) -> list[str]:
    """Catalogue ids of the known mistakes that reproduce `actual` on this case; [] when none does.

    Example: diagnose("lstm", case_kwargs, (output, (c_n, h_n)), 1e-9) == ["state-swap"].
    """
    prepared = prepare(kata, inputs, actual)
    if prepared is None:
        return []
    spec, case, got, correct = prepared
    with np.errstate(all="ignore"):
        scale = scale_of(correct)
        if max_diff(got, correct) <= tolerance * scale:
            return []
        found = list(dict.fromkeys(v.mistake.id for v in matching_variants(prepared, tolerance)))
        if not found and looks_imprecise(spec, case, got, correct, scale):
            found.append(PRECISION_LOSS.id)
    return found


def explain_match(kata: str, inputs: Mapping[str, Any], actual: Any, tolerance: float) -> list[str]:
    """The concrete slips (variant notes) that reproduce `actual`, e.g. for a longer message."""
    prepared = prepare(kata, inputs, actual)
    if prepared is None:
        return []
    with np.errstate(all="ignore"):
        return [v.note for v in matching_variants(prepared, tolerance)]
