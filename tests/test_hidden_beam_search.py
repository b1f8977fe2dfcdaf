"""beam_search: its hidden suite through the real grader, and its reference proved right without it.

torch has no beam search, so the reference (rnnprep/diagnosis/beam_search.py, ``search``) is
trusted because it agrees, over many random models, with an exhaustive enumeration of every
hypothesis scored by a torch language model wherever the beam is wide enough to keep them all,
with greedy decoding at beam_size 1, and with an independent implementation where the beam
prunes. The reference solution agrees with all of them too.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from kata_grading import (
    FIXTURES,
    Grade,
    assert_fixtures_listed,
    assert_named,
    assert_solution_passes,
    assert_starter_fails,
    failures,
    grade_fixture,
    load_module,
    names,
    suite_of,
    variant,
)

from rnnprep import registry
from rnnprep.diagnosis import CATALOGUE
from rnnprep.diagnosis import beam_search as beam
from rnnprep.grading.check import warm_imports
from rnnprep.grading.spec import Case
from rnnprep.grading.torch_reference import load
from rnnprep.grading.types import Stage
from rnnprep.sandbox import Model

KATA = "beam_search"
ALL = names(KATA)
ALPHA = {"alpha_0_6_prefers_longer", "alpha_1_prefers_longer", "eos_likely_first", "exhaustive_beam"}  # alpha > 0
# fmt: off
WRONG: dict[str, tuple[set[str], str, str]] = {
    "no_length_normalisation": (ALPHA, "the winner chosen by its raw summed log-prob", "beam-no-length-normalisation"),
    "length_counts_bos": (ALPHA, "score / (length + 1)**alpha", "beam-length-counts-bos"),
    "extends_past_eos": (ALL - {"eos_never_likely", "long_sequence"}, "grow past it to max_len",
                         "beam-extends-finished"),
    "greedy_only": (ALL - {"greedy_beam_1", "tied_first_tokens"}, "greedy decoding", "beam-greedy-only"),
    "multiplies_probabilities": ({"long_sequence"}, "underflow", "beam-multiplies-probabilities"),
    "ties_reversed": ({"tied_first_tokens"}, "taken in reverse order", "beam-tie-order"),
    "keeps_bos": (ALL, "bos still at the front", "beam-output-ends"),
}
# fmt: on

grade = grade_fixture()
warm_imports()  # as in the grader's process: torch on one thread (tiny tensors)


def solution() -> Any:
    """solutions/beam_search.py's beam_search, imported by path."""
    return load_module(registry.get(KATA).solution).beam_search


def random_inputs(rng: np.random.Generator, V: int, beam_size: int, max_len: int, alpha: float) -> dict[str, Any]:
    """A random language model and call, as the hidden suite draws them (any eos bias)."""
    bos, eos = (int(t) for t in rng.choice(V, size=2, replace=False))
    arrays = suite_of(KATA).lm_arrays(rng, V, eos, float(rng.choice([-1.0, 0.0, 1.5])), 1.5, 0.5)
    return {"step": Model("lm_step", arrays), "bos": bos, "eos": eos, "beam_size": beam_size,
            "max_len": max_len, "alpha": alpha}  # fmt: skip


def same(a: tuple[np.ndarray, float], b: tuple[np.ndarray, float], atol: float = 1e-12) -> bool:
    """The same tokens and (nearly) the same score."""
    return len(a[0]) == len(b[0]) and bool(np.array_equal(a[0], b[0])) and abs(a[1] - b[1]) <= atol


# --- the reference, proved without the grader ---------------------------------------------------


def torch_next_log_probs(arrays: dict[str, np.ndarray], prefixes: np.ndarray) -> np.ndarray:
    """log p(next | prefix) for each prefix (N, t), from nn.RNN + a linear layer in float64."""
    H, D = arrays["W_xh"].shape
    rnn = load(torch.nn.RNN(D, H, batch_first=True), weight_ih_l0=arrays["W_xh"], weight_hh_l0=arrays["W_hh"],
               bias_ih_l0=arrays["b_h"], bias_hh_l0=np.zeros(H))  # fmt: skip
    with torch.no_grad():
        _, h = rnn(torch.from_numpy(arrays["embed"][prefixes]))  # (1, N, H)
        logits = h[0] @ torch.from_numpy(arrays["W_hy"]).T + torch.from_numpy(arrays["b_y"])  # (N, V)
        return torch.log_softmax(logits, dim=-1).numpy()  # (N, V)


def exhaustive(inputs: dict[str, Any]) -> tuple[np.ndarray, float]:
    """The best of EVERY hypothesis (ended by eos, or cut off at max_len), scored with torch."""
    arrays, bos, eos, max_len = inputs["step"].arrays, inputs["bos"], inputs["eos"], inputs["max_len"]
    V = len(arrays["b_y"])
    best: tuple[float, tuple[int, ...], float] = (-np.inf, (), 0.0)
    for length in range(1, max_len + 1):
        for body in itertools.product([v for v in range(V) if v != eos], repeat=length - 1):
            endings = [eos] if length < max_len else list(range(V))  # a full-length one may end anywhere
            prefix = np.array([[bos, *body]])  # (1, length)
            raw_body = sum(torch_next_log_probs(arrays, prefix[:, : t + 1])[0, prefix[0, t + 1]] for t in range(length - 1))
            last = torch_next_log_probs(arrays, prefix)[0]  # (V,)
            for end in endings:
                raw = float(raw_body + last[end])
                normalised = raw / length ** inputs["alpha"]
                if normalised > best[0]:
                    best = (normalised, (*body, end), raw)
    return np.array(best[1]), best[0]


def wide_enough(V: int, max_len: int) -> int:
    """A beam_size above every candidate count: V * (V - 1)**(max_len - 1) at the last step."""
    return V * (V - 1) ** (max_len - 1)


def test_reference_equals_exhaustive_search_where_the_beam_keeps_everything() -> None:
    rng = np.random.default_rng(0)
    checked = set()
    for _ in range(120):
        V = int(rng.integers(3, 5))
        max_len = int(rng.integers(1, 5 if V == 3 else 4))
        alpha = float(rng.choice([0.0, 0.6, 1.0]))
        inputs = random_inputs(rng, V, wide_enough(V, max_len) + int(rng.integers(0, 3)), max_len, alpha)
        expected = exhaustive(inputs)
        assert same(beam.search(inputs), expected, atol=1e-12), inputs
        assert same(solution()(beam.step_of(inputs), *list(inputs.values())[1:]), expected, atol=1e-12)
        checked.add((V, max_len, alpha, len(expected[0]) < max_len))
    assert len(checked) >= 20  # every size, every alpha, answers both finished and cut off


def greedy(inputs: dict[str, Any]) -> tuple[np.ndarray, float]:
    """Greedy decoding: the argmax token until eos or max_len."""
    step, tokens, raw = beam.step_of(inputs), [inputs["bos"]], 0.0
    for _ in range(inputs["max_len"]):
        log_probs = step(np.array(tokens))  # (V,)
        tokens.append(int(np.argmax(log_probs)))
        raw += float(log_probs[tokens[-1]])
        if tokens[-1] == inputs["eos"]:
            break
    return np.array(tokens[1:]), raw / (len(tokens) - 1) ** inputs["alpha"]


def test_reference_at_beam_size_1_is_greedy_decoding() -> None:
    rng = np.random.default_rng(1)
    for _ in range(100):
        inputs = random_inputs(rng, int(rng.integers(4, 9)), 1, int(rng.integers(1, 9)), float(rng.choice([0.0, 0.7])))
        assert same(beam.search(inputs), greedy(inputs)), inputs


# An independent correct implementation: Python lists, one step() call per hypothesis with the
# (t,) form, heapq.nlargest (stable like sorted(reverse=True)), plain ints and floats.
ALTERNATIVE = '''
import heapq

import numpy as np


def beam_search(step, bos, eos, beam_size, max_len, alpha=0.0):
    beam = [([bos], 0.0)]
    done = []
    for _ in range(max_len):
        if not beam:
            break
        candidates = []
        for tokens, score in beam:
            log_probs = step(np.array(tokens))
            candidates += [(score + float(lp), tokens + [v]) for v, lp in enumerate(log_probs)]
        beam = []
        for score, tokens in heapq.nlargest(beam_size, candidates, key=lambda c: c[0]):
            if tokens[-1] == eos:
                done.append((tokens, score))
            else:
                beam.append((tokens, score))
    done += beam
    tokens, score = max(done, key=lambda d: d[1] / (len(d[0]) - 1) ** alpha)
    return np.array(tokens[1:], dtype=np.int64), np.float64(score / (len(tokens) - 1) ** alpha)
'''


def alternative() -> Callable[..., tuple[np.ndarray, float]]:
    """ALTERNATIVE, imported."""
    namespace: dict[str, Any] = {}
    exec(compile(ALTERNATIVE, "alternative_beam_search.py", "exec"), namespace)
    return namespace["beam_search"]  # type: ignore[no-any-return]


def test_reference_equals_an_independent_implementation_where_the_beam_prunes() -> None:
    rng = np.random.default_rng(2)
    other, mine = alternative(), solution()
    for _ in range(150):
        V = int(rng.integers(5, 9))
        inputs = random_inputs(rng, V, int(rng.integers(2, 5)), int(rng.integers(2, 8)), float(rng.choice([0.0, 0.6, 1.0])))
        expected = beam.search(inputs)
        args = list(inputs.values())[1:]
        assert same(other(beam.step_of(inputs), *args), expected, atol=1e-9), inputs
        assert same(mine(beam.step_of(inputs), *args), expected, atol=1e-12), inputs


def test_solution_answers_every_hidden_case() -> None:
    for case in drawn(5).values():
        got = solution()(beam.step_of(case.call.inputs()), *list(case.call.args.values())[1:])
        assert same(got, suite_of(KATA).reference(case)), case.name
        assert isinstance(got[0], np.ndarray) and got[0].dtype.kind == "i" and got[0].shape == (case.dims["L"],)


def test_readme_worked_example_is_what_the_solution_computes() -> None:
    text = " ".join(registry.get(KATA).readme.read_text(encoding="utf-8").split())
    P = np.array([[0.04, 0.06, 0.55, 0.35], [0.25] * 4, [0.05, 0.25, 0.30, 0.40], [0.05, 0.70, 0.20, 0.05]])  # (V, V)
    table = "| bos | 0.04 | 0.06 | 0.55 | 0.35 | | a | 0.05 | 0.25 | 0.30 | 0.40 | | b | 0.05 | 0.70 | 0.20 | 0.05 |"
    assert table in text

    def step(prefixes: np.ndarray) -> np.ndarray:
        return np.log(P)[np.asarray(prefixes)[..., -1]]  # (N, V) or (V,)

    word = {0: "bos", 1: "eos", 2: "a", 3: "b"}

    def raw(*tokens: int) -> float:
        return beam.sequence_log_prob(step, 0, np.array(tokens))

    for tokens in [(2,), (3,), (1,), (0,), (2, 3), (2, 2), (2, 1), (2, 0), (3, 1), (3, 2), (3, 3), (3, 0), (2, 3, 1), (2, 3, 2)]:
        assert f"{' '.join(word[t] for t in tokens)} {raw(*tokens):.3f}" in text, tokens
    for tokens in [(3, 1), (2, 3, 1), (2, 3, 2)]:
        scores = " ".join(f"{raw(*tokens) / len(tokens) ** alpha:.3f}" for alpha in (0.0, 0.6, 1.0))
        assert f"{' '.join(word[t] for t in tokens)} {raw(*tokens):.3f} {len(tokens)} {scores}" in text
    for alpha, label in [(0.0, "alpha=0:"), (0.6, "alpha=0.6:"), (1.0, "alpha=1:")]:
        tokens, score = solution()(step, 0, 1, 2, 3, alpha)
        assert f"{label} tokens [{', '.join(map(str, tokens))}], score {score:.3f}" in text
    tokens, score = solution()(step, 0, 1, 1, 3)
    assert f"`[{', '.join(map(str, tokens))}]` with {score:.3f}" in text
    found = beam.search_hypotheses(step, 0, 1, 2, 3)
    assert [f.tokens.tolist() for f in found] == [[0, 3, 1], [0, 2, 3, 1], [0, 2, 3, 2]]  # b eos, a b eos, a b a


# --- the cases show what they are about -----------------------------------------------------------


@functools.cache
def drawn(seed: int) -> dict[str, Case]:
    """The hidden cases of a seed, by name."""
    return {case.name: case for case in suite_of(KATA).cases(np.random.default_rng(seed))}


def test_cases_are_fresh_reproducible_and_show_what_they_are_about() -> None:
    cases, again, other = drawn(5), suite_of(KATA).cases(np.random.default_rng(5)), drawn(6)
    assert list(cases) == [c.name for c in again] == sorted(ALL, key=list(cases).index) and len(cases) == 10
    first = cases["greedy_beam_1"].call.args["step"].arrays["embed"]
    assert np.array_equal(first, again[0].call.args["step"].arrays["embed"])
    assert not np.array_equal(first, other["greedy_beam_1"].call.args["step"].arrays["embed"])
    for seed in (5, 6):
        for name, case in drawn(seed).items():
            inputs = case.call.inputs()
            tokens = beam.search(inputs)[0]
            assert case.dims == {"L": len(tokens)} and case.returns == registry.get(KATA).returns
            assert case.dtype == "float64" and case.tol.atol == 1e-9
            greedy_tokens = beam.search(inputs, greedy=True)[0]
            if inputs["beam_size"] > 1:
                assert not np.array_equal(greedy_tokens, tokens) or len(greedy_tokens) != len(tokens), name
            if name in ALPHA:
                assert len(beam.search(inputs, normalise="none")[0]) < len(tokens), name
            if name not in ("eos_never_likely", "long_sequence"):
                assert tokens[-1] == inputs["eos"] and len(tokens) < inputs["max_len"], name
            else:
                assert len(tokens) == inputs["max_len"] and inputs["eos"] not in tokens, name
        cases = drawn(seed)
        assert "alpha" not in cases["greedy_beam_1"].call.args
        assert cases["exhaustive_beam"].call.args["beam_size"] >= wide_enough(4, 3)
        long = cases["long_sequence"].call.inputs()
        assert beam.search(long)[1] < -800.0 and len(long["step"].arrays["b_y"]) == 2000
        tie = cases["tied_first_tokens"].call.inputs()
        first_step = beam.step_of(tie)(np.array([tie["bos"]]))  # (V,)
        top = np.sort(first_step)[::-1]  # (V,)
        assert top[0] == top[1] > top[2]  # an exact tie for the best first token
        first = cases["eos_likely_first"].call.inputs()
        assert beam.search(first, normalise="none")[0].tolist() == [first["eos"]]  # finished at step 1
        early = cases["beam_empties_early"].call.inputs()
        found = beam.search_hypotheses(beam.step_of(early), early["bos"], early["eos"], 2, early["max_len"])
        assert all(f.tokens[-1] == early["eos"] and len(f.tokens) - 1 < early["max_len"] for f in found)


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


def test_an_independent_correct_implementation_passes(tmp_path: Path, grade: Grade) -> None:
    path = tmp_path / "beam_search.py"
    path.write_text(ALTERNATIVE, encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)


@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    result = grade(KATA, FIXTURES / KATA / f"{fixture}.py")
    assert_named(result, must_fail, phrase, mistake, (Stage.VALUE, Stage.SHAPE), only=True)
    failing = [t for t in result.tests if not t.passed]
    assert all(t.message.startswith("Called beam_search(step=<lm_step function>, bos=") for t in failing)
    assert all("Review: rnnprep quiz --id decoding." in t.message for t in failing)


def test_every_fixture_is_listed_and_every_mistake_is_catalogued() -> None:
    assert_fixtures_listed(KATA, set(WRONG))
    ids = {m.id for m in beam.MISTAKES}
    assert len(ids) == len(beam.MISTAKES) and {slip.mistake.id for slip in beam.SLIPS} == ids
    assert all(CATALOGUE[m.id] is m for m in beam.MISTAKES)
    quiz = {q["id"] for q in _questions()}
    assert all(q in quiz for m in beam.MISTAKES for q in m.quiz_ids)


def _questions() -> list[dict[str, Any]]:
    """Every question of the banks, as {'id': ...} (ids read from the YAML text)."""
    from rnnprep.content import questions_dir

    return [{"id": m} for path in questions_dir().glob("*.yaml") for m in re.findall(r"^  - id: (\S+)", path.read_text(), re.M)]


# --- targeted messages -------------------------------------------------------------------------------


def test_a_failure_shows_both_sequences_scored_under_the_model(grade: Grade) -> None:
    result = grade(KATA, FIXTURES / KATA / "no_length_normalisation.py")
    message = next(t.message for t in result.tests if t.name == "alpha_0_6_prefers_longer")
    assert "tokens has shape (" in message and "expected (" in message and "(L,)" in message
    your = re.search(r"Your tokens \[([\d ]+)\] \(\d+ tokens?\): summed log-prob (-[\d.]+), normalised", message)
    expected = re.search(r"Expected    \[([\d ]+)\] \(\d+ tokens?\): summed log-prob (-[\d.]+), normalised", message)
    assert your and expected, message
    assert len(your.group(1).split()) < len(expected.group(1).split())  # the raw sum picked the shorter one
    assert float(your.group(2)) > float(expected.group(2))  # and it has the higher raw sum


def test_an_underflowing_score_is_explained(grade: Grade) -> None:
    result = grade(KATA, FIXTURES / KATA / "multiplies_probabilities.py")
    message = next(t.message for t in result.tests if t.name == "long_sequence")
    assert "score: 1 value(s) are NaN or infinite" in message
    assert "add log-probs, never multiply probabilities" in message


def test_a_raw_score_returned_is_named(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "return finished[winner][0], float(normalised[winner])",
                   "return finished[winner][0], float(finished[winner][1])")  # fmt: skip
    result = grade(KATA, path)
    assert set(result.failing_tests) == ALPHA and result.diagnosis == ["beam-returns-raw-score"], failures(result)
    assert all("score: wrong values" in t.message for t in result.tests if not t.passed)


def test_float_prefixes_get_a_word_on_what_step_takes(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "total = extensions(step, alive, scores)", "total = extensions(step, alive * 1.0, scores)")
    result = grade(KATA, path)
    assert set(result.failing_tests) == ALL
    message = result.tests[0].message
    assert "raised ValueError: step() takes an int array of prefixes" in message
    assert "one int array of shape (N, t), t >= 1, every row starting with bos" in message


def test_a_refilled_beam_is_named() -> None:
    """No fixture refills (no case is drawn for it): the slip names it wherever it shows."""
    module, rng = suite_of(KATA), np.random.default_rng(3)
    for _ in range(500):
        inputs = random_inputs(rng, 6, 3, 6, 1.0)
        refilled, expected = beam.search(inputs, refill=True), beam.search(inputs)
        if not same(refilled, expected, atol=1e-9):
            break
    else:
        pytest.fail("refilling never changed the answer")
    case = Case("refill", "a refilled beam", module.suite.Call(KATA, inputs), registry.get(KATA).returns,
                {"L": len(expected[0])})  # fmt: skip
    ids, lines = module.diagnose(case, refilled, expected)
    assert ids == ["beam-refills-after-eos"] and any("topped up to beam_size" in line for line in lines), lines
