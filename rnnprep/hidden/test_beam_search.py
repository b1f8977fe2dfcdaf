"""Hidden suite of beam_search: beam_search(step, bos, eos, beam_size, max_len, alpha=0.0)
-> (tokens[L]:int, score), where step is a tanh-RNN language model (sandbox/models.py,
kind ``lm_step``) the child builds from the case's arrays.

torch has no beam search: the reference is the exact algorithm of the README, written once in
rnnprep/diagnosis/beam_search.py (``search``), where its slips are switches of the same code.
tests/test_hidden_beam_search.py proves it equal to an exhaustive enumeration of every
hypothesis wherever the beam is wide enough to keep them all, to greedy decoding at
beam_size 1, and to an independent implementation with pruning. The step log-probs come from
models.build("lm_step"), proved equal to torch in tests/test_sandbox.py.

dims["L"] is the length of the expected answer, so a wrong length is a shape message. The
tokens are compared exactly, the score at 1e-9. Each case is drawn (models resampled) until
it shows what it is about and no two known mistakes give the same wrong answer in it, so each
mistake fails a fixed set of tests and a failing answer names one mistake:

    greedy_beam_1              beam_size=1 (greedy), alpha left at its default; the answer ends in eos
    beam_beats_greedy          beam_size 2 to 4, alpha=0: the beam finds a sequence greedy misses
    alpha_0_6_prefers_longer   alpha=0.6: the raw sum picks a shorter hypothesis than the normalised score
    alpha_1_prefers_longer     alpha=1.0: the same, with the per-token average
    eos_likely_first           eos is likely after bos: [eos] finishes at step 1 (the beam shrinks at
                               once) with the best raw sum; alpha=1.0 prefers a longer hypothesis
    eos_never_likely           eos is never likely: every hypothesis is cut off at max_len (no eos)
    beam_empties_early         eos likely: every hypothesis finishes before max_len, the search stops
    exhaustive_beam            beam_size above every candidate count (V = 4, max_len = 3): nothing
                               pruned; alpha=0.6 picks a longer hypothesis than the raw sum
    tied_first_tokens          two tokens tie exactly for the first step: the lower token id goes first
    long_sequence              V = 2000, max_len ~130: the summed log-prob is below -800, where a
                               product of probabilities underflows to 0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnnprep.diagnosis import beam_search as beam
from rnnprep.diagnosis.slips import leaves_close
from rnnprep.grading import suite
from rnnprep.sandbox import Model

KATA = suite.kata("beam_search")
Submission = Callable[[suite.Case], Any]
Answer = tuple[np.ndarray, float]

SHORT = (5, 8)  # max_len of the ordinary cases
# fmt: off
PLAN = (
    suite.Planned("greedy_beam_1", "beam_size=1 is greedy decoding; alpha left at its default 0",
                  {"beam": (1, 1), "alpha": None, "eos_bias": -1.0, "wants": ("eos", "three", "distinct")}),
    suite.Planned("beam_beats_greedy", "beam_size 2 to 4, alpha=0: the beam finds a better sequence than greedy",
                  {"beam": (2, 4), "alpha": 0.0, "eos_bias": -1.0, "wants": ("eos", "not_greedy", "three", "distinct")}),
    suite.Planned("alpha_0_6_prefers_longer",
                  "alpha=0.6: the raw sum would pick a shorter hypothesis than the normalised score",
                  {"beam": (2, 4), "alpha": 0.6, "wants": ("eos", "not_greedy", "longer", "greedy_not_raw", "distinct")}),
    suite.Planned("alpha_1_prefers_longer",
                  "alpha=1.0 (the per-token average): the raw sum would pick a shorter hypothesis",
                  {"beam": (2, 4), "alpha": 1.0, "wants": ("eos", "not_greedy", "longer", "greedy_not_raw", "distinct")}),
    suite.Planned("eos_likely_first",
                  "eos is likely after bos: [eos] finishes at step 1 and has the best raw sum, but not the "
                  "best per-token average (alpha=1.0)",
                  {"beam": (3, 4), "alpha": 1.0, "eos_bias": 1.5,
                   "wants": ("eos_first", "eos", "not_greedy", "longer", "greedy_not_raw", "distinct")}),
    suite.Planned("eos_never_likely", "eos is never likely: every hypothesis is cut off at max_len",
                  {"beam": (3, 3), "alpha": 0.0, "eos_bias": -30.0, "wants": ("not_greedy", "distinct")}),
    suite.Planned("beam_empties_early",
                  "eos is likely: every hypothesis finishes before max_len and the search stops early",
                  {"beam": (2, 2), "alpha": 0.0, "eos_bias": 2.0, "max_len": (6, 8),
                   "wants": ("eos", "not_greedy", "empties", "distinct")}),
    suite.Planned("exhaustive_beam", "beam_size above every candidate count: nothing is ever pruned",
                  {"beam": (40, 50), "V": (4, 4), "max_len": (3, 3), "alpha": 0.6,
                   "wants": ("eos", "not_greedy", "longer", "greedy_not_raw", "distinct")}),
    suite.Planned("tied_first_tokens", "two tokens tie exactly for the first step: the lower token id goes first",
                  {"beam": (1, 1), "alpha": 0.0, "tie": True, "wants": ("eos", "distinct")}),
    suite.Planned("long_sequence",
                  "V=2000 and ~130 steps: the summed log-prob falls below -800, where products of "
                  "probabilities underflow to 0",
                  {"beam": (2, 2), "alpha": 0.0, "V": (2000, 2000), "max_len": (125, 135), "eos_bias": -30.0,
                   "out_scale": 0.2, "bias_scale": 0.1, "wants": ("underflows", "not_greedy")}),
)
# fmt: on
SAME = leaves_close(rtol=1e-9, atol=1e-9)  # answers the diagnosis cannot tell apart
ATTEMPTS = 5000  # models drawn per case at most; tests show a few dozen suffice on every seed


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Models drawn until the case shows what it is about; dims["L"] is the answer's length."""
    options = planned.options
    for _ in range(ATTEMPTS):
        V = int(rng.integers(*options.get("V", (6, 9)), endpoint=True))
        bos, eos = (int(token) for token in rng.choice(V, size=2, replace=False))
        arrays = lm_arrays(rng, V, eos, options.get("eos_bias", 0.0), options.get("out_scale", 1.5),
                           options.get("bias_scale", 0.5))
        if options.get("tie"):
            tie_first_step(arrays, bos, eos)
        args: dict[str, Any] = {
            "step": Model("lm_step", arrays), "bos": bos, "eos": eos,
            "beam_size": int(rng.integers(*options["beam"], endpoint=True)),
            "max_len": int(rng.integers(*options.get("max_len", SHORT), endpoint=True)),
        }  # fmt: skip
        if options["alpha"] is not None:
            args["alpha"] = options["alpha"]
        expected = beam.search(args)
        if all(WANTS[want](args, expected) for want in options["wants"]):
            call = suite.Call(KATA.entry[0], args)
            about = f"{planned.about}; V={V} tokens"
            return suite.Case(planned.name, about, call, KATA.returns, {"L": len(expected[0])}, "float64", suite.FLOAT64)
    raise RuntimeError(f"no model for {planned.name} in {ATTEMPTS} draws")  # pragma: no cover


def lm_arrays(rng: np.random.Generator, V: int, eos: int, eos_bias: float, out_scale: float,
              bias_scale: float) -> dict[str, np.ndarray]:  # fmt: skip
    """A small tanh-RNN language model (sizes D, H of its own); eos_bias shifts eos's logit.

    Small out_scale and bias_scale make the next-token distribution nearly uniform.
    """
    D, H = int(rng.integers(2, 5)), int(rng.integers(3, 7))
    arrays = {
        "embed": rng.standard_normal((V, D)),  # (V, D)
        "W_xh": suite.uniform(rng, (H, D), 2 * D**-0.5),  # (H, D)
        "W_hh": suite.uniform(rng, (H, H), 1.5 * H**-0.5),  # (H, H)
        "b_h": suite.uniform(rng, (H,), 0.5),  # (H,)
        "W_hy": rng.standard_normal((V, H)) * out_scale,  # (V, H)
        "b_y": rng.standard_normal(V) * bias_scale,  # (V,)
    }
    arrays["b_y"][eos] += eos_bias
    return arrays


def tie_first_step(arrays: dict[str, np.ndarray], bos: int, eos: int) -> None:
    """Two tokens (neither bos nor eos) whose logits are exactly equal and the best after bos.

    Their rows of W_hy are zero and their biases equal, so their logits are the same number
    bit for bit, whatever the state and however the step is batched.
    """
    V = len(arrays["b_y"])
    a, b = sorted(t for t in range(V) if t not in (bos, eos))[:2]
    arrays["W_hy"][[a, b]] = 0.0
    h = np.tanh(arrays["W_xh"] @ arrays["embed"][bos] + arrays["b_h"])  # (H,): the state after bos
    logits = arrays["W_hy"] @ h + arrays["b_y"]  # (V,)
    arrays["b_y"][[a, b]] = float(np.delete(logits, [a, b]).max() + 0.5)


def ends_in_eos(args: dict[str, Any], expected: Answer) -> bool:
    """The answer finished by producing eos before max_len."""
    return bool(expected[0][-1] == args["eos"]) and len(expected[0]) < args["max_len"]


def three(args: dict[str, Any], expected: Answer) -> bool:
    """The answer has three tokens or more."""
    return len(expected[0]) >= 3


def not_greedy(args: dict[str, Any], expected: Answer) -> bool:
    """Greedy decoding returns other tokens."""
    return not same_tokens(beam.search(args, greedy=True)[0], expected[0])


def eos_first(args: dict[str, Any], expected: Answer) -> bool:
    """The raw sum's winner is [eos], finished at the first step."""
    return same_tokens(beam.search(args, normalise="none")[0], np.array([args["eos"]]))


def longer(args: dict[str, Any], expected: Answer) -> bool:
    """The raw sum would pick a shorter hypothesis."""
    return len(beam.search(args, normalise="none")[0]) < len(expected[0])


def greedy_not_raw(args: dict[str, Any], expected: Answer) -> bool:
    """Greedy decoding and the raw-sum winner differ, so neither mistake passes for the other."""
    return not same_tokens(beam.search(args, greedy=True)[0], beam.search(args, normalise="none")[0])


def empties(args: dict[str, Any], expected: Answer) -> bool:
    """Every hypothesis finished with eos before max_len: the search stops early."""
    found = beam.search_hypotheses(beam.step_of(args), args["bos"], args["eos"], args["beam_size"], args["max_len"])
    return all(f.tokens[-1] == args["eos"] for f in found) and max(len(f.tokens) - 1 for f in found) < args["max_len"]


def underflows(args: dict[str, Any], expected: Answer) -> bool:
    """The answer's log-prob is below -800, and products of probabilities pick other tokens."""
    if expected[1] >= -800.0:
        return False
    with np.errstate(all="ignore"):
        return not same_tokens(beam.search(args, products=True)[0], expected[0])


def distinct(args: dict[str, Any], expected: Answer) -> bool:
    """No two mistakes give the same wrong answer here, so a wrong answer names one mistake."""
    wrong: list[tuple[str, Any]] = []
    with np.errstate(all="ignore"):
        for slip in beam.SLIPS:
            answer = slip.reproduce(args, expected)
            if answer is None or SAME(answer, expected):
                continue
            if any(mistake != slip.mistake.id and SAME(answer, other) for mistake, other in wrong):
                return False
            wrong.append((slip.mistake.id, answer))
    return True


WANTS: dict[str, Callable[[dict[str, Any], Answer], bool]] = {
    "eos": ends_in_eos, "three": three, "not_greedy": not_greedy, "eos_first": eos_first, "longer": longer,
    "greedy_not_raw": greedy_not_raw, "empties": empties, "distinct": distinct, "underflows": underflows,
}  # fmt: skip


def same_tokens(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal token sequences."""
    return len(a) == len(b) and bool(np.array_equal(a, b))


def reference(case: suite.Case) -> Answer:
    """The README's beam search, exactly (rnnprep/diagnosis/beam_search.py)."""
    return beam.search(case.call.inputs())


# --- the diagnosis -----------------------------------------------------------------------------


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """Both sequences with their scores under the model, then the slips that reproduce the answer."""
    ids, lines = suite.slip_diagnosis(beam.SLIPS, SAME)(case, actual, expected)
    return ids, [*side_by_side(case, actual, expected), *lines]


def side_by_side(case: suite.Case, actual: Any, expected: Answer) -> list[str]:
    """'Your tokens [..] score ... under the model; the expected [..] ...' (when they can be scored)."""
    inputs = case.call.inputs()
    tokens = np.asarray(actual[0])
    V = len(inputs["step"].arrays["b_y"])
    if tokens.ndim != 1 or tokens.dtype.kind not in "iu" or not len(tokens) or tokens.min() < 0 or tokens.max() >= V:
        return []
    step = beam.step_of(inputs)
    lines = [f"Your tokens {show(tokens)}: {scored(step, inputs, tokens)}.",
             f"Expected    {show(expected[0])}: {scored(step, inputs, expected[0])}."]  # fmt: skip
    if not np.isfinite(actual[1]):
        lines.append("A score of -inf or NaN means a probability underflowed to 0 (or log(0) was taken): "
                     "add log-probs, never multiply probabilities.")  # fmt: skip
    return lines


def show(tokens: np.ndarray) -> str:
    """[3 1 4 ...] with at most 12 tokens."""
    head = " ".join(str(int(t)) for t in tokens[:12])
    return f"[{head}{' ...' if len(tokens) > 12 else ''}] ({len(tokens)} token{'s' * (len(tokens) != 1)})"


def scored(step: beam.Step, inputs: dict[str, Any], tokens: np.ndarray) -> str:
    """'raw log-prob -3.21, normalised -1.61 (length 4, alpha=0.6)'."""
    raw = beam.sequence_log_prob(step, int(inputs["bos"]), tokens)
    alpha = float(inputs.get("alpha", 0.0))
    if not alpha:
        return f"summed log-prob {raw:.6g}"
    return f"summed log-prob {raw:.6g}, normalised {raw / len(tokens) ** alpha:.6g} (length {len(tokens)}, alpha={alpha:g})"


def answer(case: suite.Case, submission: Submission) -> Any:
    """The submission's answer; a misuse of step() gets a word on the prefixes it takes."""
    try:
        return submission(case)
    except suite.KataFailure as failure:
        if failure.stage is suite.Stage.RAISED and "step() takes an int array of prefixes" in failure.message:
            advice = (
                "step() takes the alive hypotheses as one int array of shape (N, t), t >= 1, every row "
                "starting with bos (np.array(hypotheses) of equal-length int lists). When nothing is "
                "alive any more, stop the search instead of calling step() with no prefixes."
            )
            raise suite.KataFailure(f"{failure.message}\n{advice}", failure.stage, case=case) from None
        raise


def test_beam_search(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, answer(case, submission), reference(case), diagnose)

