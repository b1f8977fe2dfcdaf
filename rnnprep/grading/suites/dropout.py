"""Hidden suite for the dropout kata: inverted dropout judged on its own mask, statistics and edges.

The mask is random, so no reference can predict it: each answer is judged against the mask
it returned (y == x * mask / (1 - p) exactly), the keep rate and the mean of y over a large
draw (within 6 standard deviations: a correct kata fails once in ~10^9 seeds), evaluation,
p = 0 and p = 1, and reproducibility (the same Generator seed must give the same mask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading.child import RngSeed
from rnnprep.grading.framework import TOLERANCE, Array, Call, Case, Seq, Suite, draw_dims

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

SIGMAS = 6.0
SMALL = {"B": (2, 5), "T": (6, 9), "H": (10, 14)}
LARGE = {"B": (40, 48), "T": (50, 58), "H": (60, 68)}  # ~150 000 units
RETURNS = Seq((Array("y", ("B", "T", "H")), Array("mask", ("B", "T", "H"))))
# Floating-point warnings become errors in the child: p = 1 must not divide by zero.
STRICT = {"divide": "raise", "invalid": "raise"}


class DropoutSuite(Suite):
    """dropout(x, p, training, rng) -> (y, mask), inverted dropout with the given Generator."""

    kata = "dropout"
    entry = ("dropout",)

    def cases(self, rng: np.random.Generator) -> list[Case]:
        """The plan: mask use, reproducibility, statistics over a large draw, edges."""
        first = self.build(
            rng, "training_uses_its_mask", "training, y must be x * mask / (1 - p)", "mask"
        )
        same = self.twin(
            first,
            "same_seed_same_mask",
            "the same x, p and Generator seed again: the same mask",
            first.call.args["rng"].seed,
        )
        other_seed = int(rng.integers(2**31))
        other = self.twin(
            first,
            "other_seed_other_mask",
            "the same x and p, another Generator seed: another mask",
            other_seed,
        )
        return [
            first,
            self.build(
                rng,
                "training_float32",
                "training on float32 arrays: y stays float32",
                "mask",
                dtype="float32",
            ),
            same,
            other,
            self.build(
                rng,
                "keep_rate_large_draw",
                "a large draw: the share of kept units must be close to 1 - p",
                "keep_rate",
                dims=LARGE,
                p=0.3,
            ),
            self.build(
                rng,
                "expected_value_large_draw",
                "a large draw of positive x: mean(y) must be close to mean(x)",
                "mean",
                dims=LARGE,
                p=0.6,
                positive=True,
            ),
            self.build(
                rng,
                "evaluation_is_identity",
                "training=False: y is x and every unit is kept",
                "identity",
                training=False,
            ),
            self.build(
                rng,
                "p_zero_is_identity",
                "training with p=0: nothing is dropped",
                "identity",
                p=0.0,
            ),
            self.build(
                rng,
                "p_one_drops_everything",
                "training with p=1: everything dropped, without dividing by zero",
                "zeros",
                p=1.0,
            ),
        ]

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        judge: str,
        *,
        dims: dict[str, tuple[int, int]] = SMALL,
        p: float | None = None,
        training: bool = True,
        positive: bool = False,
        dtype: str = "float64",
    ) -> Case:
        """Draw x (normal, or uniform in [0.5, 1.5]), p and a Generator seed."""
        sizes = draw_dims(rng, dims)
        shape = (sizes["B"], sizes["T"], sizes["H"])
        x = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)  # (B, T, H)
        p = round(float(rng.uniform(0.2, 0.7)), 2) if p is None else p
        args = {
            "x": x.astype(dtype),
            "p": p,
            "training": training,
            "rng": RngSeed(int(rng.integers(2**31))),
        }
        call = Call("dropout", args, errstate=STRICT)
        return Case(name, about, call, RETURNS, sizes, dtype, TOLERANCE[dtype], {"judge": judge})

    @staticmethod
    def twin(first: Case, name: str, about: str, seed: int) -> Case:
        """A copy of ``first`` with another seed, judged against first's mask."""
        args = {**first.call.args, "rng": RngSeed(seed)}
        extra = {
            "judge": "same" if seed == first.call.args["rng"].seed else "differ",
            "twin": first,
        }
        call = Call("dropout", args, errstate=STRICT)
        return Case(name, about, call, RETURNS, first.dims, first.dtype, first.tol, extra)

    def expected(self, case: Case) -> Any:
        """(E[y], P(unit kept)) in float64; torch's F.dropout where the answer is certain."""
        import numpy as np
        import torch

        a = case.call.args
        x = a["x"].astype(np.float64)  # (B, T, H)
        keep = 1.0 if not a["training"] else 1.0 - a["p"]
        if case.extra["judge"] in ("identity", "zeros"):
            with torch.no_grad():
                y = torch.nn.functional.dropout(
                    torch.from_numpy(x), a["p"], a["training"]
                )  # (B, T, H)
            return y.numpy().copy(), np.full(x.shape, keep)  # (B, T, H) x 2
        return x, np.full(x.shape, keep)  # (B, T, H) x 2: inverted dropout keeps E[y] = x

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """Structure, shapes and dtypes first; then the property this case is about."""
        from rnnprep.grading.compare import Verdict, called_text

        called = called_text(case)
        problem = form_problem(case, actual)
        if problem:
            return Verdict(False, f"{called}\n{problem[1]}", problem[0])
        y, mask = actual
        judge = case.extra["judge"]
        if judge in ("mask", "keep_rate", "mean", "same", "differ"):
            case.extra["mask"] = mask
            found = mask_use_problem(case, y, mask)
            if found is None:
                found = {
                    "mask": lambda: None,
                    "keep_rate": lambda: keep_rate_problem(case, mask),
                    "mean": lambda: mean_problem(case, y),
                    "same": lambda: twin_problem(case, mask),
                    "differ": lambda: twin_problem(case, mask),
                }[judge]()
        else:
            found = edge_problem(case, y, mask, expected[0])
        if found:
            return Verdict(False, f"{called}\n{found}", "value")
        return Verdict(True, f"{called}\n{passed_text(case, mask)}", "ok")


def form_problem(case: Case, actual: Any) -> tuple[str, str] | None:
    """(stage, sentence) when (y, mask) is not a pair of arrays shaped and typed like x."""
    import numpy as np

    from rnnprep.grading.compare import axes_named, structure_problem

    problem = structure_problem(case.returns, actual, case.returns.name)
    if problem:
        return "structure", problem
    x = case.call.args["x"]
    lines = [
        f"{name} has shape {tuple(v.shape)}, i.e. {axes_named(tuple(v.shape), case.dims)}; "
        f"expected the shape of x, {tuple(x.shape)}."
        for name, v in zip(("y", "mask"), actual, strict=True)
        if v.shape != x.shape
    ]
    if lines:
        return "shape", "\n".join(lines)
    y, mask = actual
    if y.dtype != x.dtype:
        lines.append(
            f"y has dtype {y.dtype}, but x is {x.dtype}: keep the input's dtype "
            f"(scale by a Python float, not a numpy float64)."
        )
    if mask.dtype != np.bool_:
        lines.append(
            f"mask has dtype {mask.dtype}: return a bool array, True where a unit is kept."
        )
    return ("dtype", "\n".join(lines)) if lines else None


def mask_use_problem(case: Case, y: np.ndarray, mask: np.ndarray) -> str | None:
    """y must be exactly x * mask / (1 - p) for the mask that came back."""
    import numpy as np

    a = case.call.args
    x = a["x"].astype(np.float64)  # (B, T, H)
    if not np.all(np.isfinite(y)):
        return (
            f"y holds {int(np.size(y) - np.count_nonzero(np.isfinite(y)))} NaN or infinite values."
        )
    want = x * mask / (1.0 - a["p"])  # (B, T, H)
    if close(y, want, case):
        return None
    error = float(np.max(np.abs(y - want)))
    text = (
        f"y is not x * mask / (1 - p) for the mask you returned (p={a['p']}, "
        f"{int(mask.sum())} of {mask.size} units kept): max abs error {error:.3g}."
    )
    if close(y, x * mask, case):
        text += (
            " y is x * mask without the 1/(1 - p) scale: inverted dropout scales the kept "
            "units in training so that E[y] = x and evaluation needs no change."
        )
    elif close(y, x * ~mask / (1.0 - a["p"]), case):
        text += (
            " y keeps exactly the units your mask marks as dropped: mask must be True where kept."
        )
    elif close(y, x * mask * (1.0 - a["p"]), case):
        text += " y is multiplied by (1 - p): divide by it instead."
    return text


def keep_rate_problem(case: Case, mask: np.ndarray) -> str | None:
    """The share of kept units within SIGMAS standard deviations of 1 - p."""
    p, n = case.call.args["p"], mask.size
    rate = float(mask.mean())
    sigma = (p * (1 - p) / n) ** 0.5
    if abs(rate - (1 - p)) <= SIGMAS * sigma:
        return None
    text = (
        f"Kept {rate:.4f} of {n} units; with p={p} the keep rate must be 1 - p = {1 - p:.4f} "
        f"(allowed ±{SIGMAS * sigma:.4f}, {SIGMAS:g} standard deviations)."
    )
    if abs(rate - p) <= SIGMAS * sigma:
        text += " You keep units with probability p: p is the probability of DROPPING a unit."
    return text


def mean_problem(case: Case, y: np.ndarray) -> str | None:
    """mean(y) within SIGMAS standard deviations of mean(x): inverted dropout keeps E[y] = x."""
    import numpy as np

    a = case.call.args
    x, p = a["x"].astype(np.float64), a["p"]  # (B, T, H)
    sigma = float(np.sqrt(np.sum(x**2) * p / (1 - p))) / x.size
    got, want = float(np.mean(y)), float(np.mean(x))
    if abs(got - want) <= SIGMAS * sigma:
        return None
    return (
        f"mean(y) = {got:.4f} but mean(x) = {want:.4f} (allowed ±{SIGMAS * sigma:.4f}): the "
        f"expected value of y must equal x, which is what the 1/(1 - p) scale is for."
    )


def twin_problem(case: Case, mask: np.ndarray) -> str | None:
    """Same seed, same mask; another seed, another mask."""
    import numpy as np

    first: Case = case.extra["twin"]
    earlier = first.extra.get("mask")
    if earlier is None:
        return f"Cannot compare: the test {first.name} returned no usable mask."
    equal = bool(np.array_equal(mask, earlier))
    if case.extra["judge"] == "same" and not equal:
        return (
            f"Called twice with the same Generator seed, the masks differ in "
            f"{int(np.count_nonzero(mask != earlier))} of {mask.size} units (see {first.name}). "
            f"Draw every random number from the rng argument (rng.random(x.shape)), never from "
            f"np.random.* or a Generator of your own."
        )
    if case.extra["judge"] == "differ" and equal:
        return (
            f"Another Generator seed gave exactly the mask of {first.name}: the randomness must "
            f"come from the rng argument, not from a fixed seed inside your function."
        )
    return None


def edge_problem(case: Case, y: np.ndarray, mask: np.ndarray, want: np.ndarray) -> str | None:
    """Evaluation and p = 0: y == x, all kept; p = 1: y == 0, nothing kept."""
    import numpy as np

    a = case.call.args
    lines = []
    if not np.all(np.isfinite(y)):
        lines.append(
            f"y holds {int(np.size(y) - np.count_nonzero(np.isfinite(y)))} NaN or infinite values: "
            f"p = 1 must not divide by zero; return zeros."
        )
    elif not close(y, want, case):
        what = "x itself" if case.extra["judge"] == "identity" else "all zeros"
        text = f"y should be {what}; max abs error {float(np.max(np.abs(y - want))):.3g}."
        if not a["training"] and close(y, a["x"] / (1 - a["p"]), case):
            text += " You scaled by 1/(1 - p) in evaluation: with inverted dropout, evaluation is the identity."
        lines.append(text)
    kept = case.extra["judge"] == "identity"
    if not np.all(mask == kept):
        lines.append(
            f"mask should be all {kept} here, but {int(np.count_nonzero(mask != kept))} of {mask.size} entries are {not kept}."
        )
    return "\n".join(lines) or None


def close(actual: np.ndarray, want: np.ndarray, case: Case) -> bool:
    """Within the dtype's tolerance, compared in float64."""
    import numpy as np

    return bool(
        np.allclose(
            np.asarray(actual, dtype=np.float64), want, rtol=case.tol.rtol, atol=case.tol.atol
        )
    )


def passed_text(case: Case, mask: np.ndarray) -> str:
    """What was verified, in one line."""
    judge, p = case.extra["judge"], case.call.args["p"]
    if judge == "keep_rate":
        return f"y = x * mask / (1 - p) and the keep rate {mask.mean():.4f} is close to 1 - p = {1 - p:.4f}."
    if judge in ("same", "differ"):
        return "y = x * mask / (1 - p), and the mask depends on the Generator exactly as it should."
    if judge in ("identity", "zeros"):
        return "y and mask are exactly right."
    if judge == "mean":
        return "y = x * mask / (1 - p) and mean(y) is close to mean(x)."
    return "y = x * mask / (1 - p) for the returned mask."


SUITE = DropoutSuite()
