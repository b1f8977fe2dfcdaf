"""The sampling kata: its hidden suite through the real check_file (the solution passes on several
seeds, the starter fails, every wrong fixture fails exactly the tests it should and is named),
the plan, targeted messages, the README's worked example, and direct checks of
solutions/sampling.py against torch and against a transcription of Hugging Face's
TopKLogitsWarper and TopPLogitsWarper that do not go through the grader.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml
from kata_grading import (
    FIXTURES,
    SEEDS,
    Grade,
    assert_fixtures_listed,
    assert_named,
    assert_solution_passes,
    assert_starter_fails,
    everything_but,
    failures,
    grade_fixture,
    load_module,
    names,
    suite_of,
    variant,
)

from rnnprep import registry
from rnnprep.diagnosis import sampling as mistakes
from rnnprep.sandbox import RngSeed

KATA = "sampling"
SUITE = suite_of(KATA)
QUESTIONS = Path(__file__).resolve().parent.parent / "questions"

GREEDY = ("greedy_top_k_1", "tiny_top_p")
TEMPERATURE_LEFT_AT_1 = ("top_k_only", "top_p_only", "top_k_ties", "defaults_one_sample")
TOP_P = {"top_p_only", "temperature_top_k_top_p", "all_three_float32"}
FILTERED = {"top_k_only", "top_p_only", "temperature_top_k_top_p", "greedy_top_k_1", "tiny_top_p", "top_k_ties",
            "many_samples", "all_three_float32"}  # fmt: skip
# fixture -> (exactly the tests that fail, a phrase a failing message holds, the mistake id)
WRONG: dict[str, tuple[set[str], str, str]] = {
    "temperature_multiplied": (everything_but(KATA, *GREEDY, *TEMPERATURE_LEFT_AT_1),
                               "z = logits * temperature: multiplied instead of divided", "sampling-temperature-wrong"),
    "top_p_excludes_crossing_token": (TOP_P, "the token that crosses top_p is left out",
                                      "sampling-top-p-excludes-crossing"),
    "not_renormalised": (FILTERED, "not 1: after top-k and top-p the surviving probabilities must be renormalised",
                         "sampling-not-renormalised"),
    "top_p_before_top_k": ({"temperature_top_k_top_p", "all_three_float32"},
                           "the nucleus cut from the full softmax, before top-k", "sampling-filter-order"),
    "global_rng": (everything_but(KATA, *GREEDY), "probs is right but tokens are not", "sampling-rng-stream"),
    "returns_log_probs": (everything_but(KATA), "probs holds the log-probabilities", "sampling-returns-logits"),
    "top_k_drops_ties": ({"top_k_ties"}, "top-k keeps exactly k tokens, the lowest ids of the tie",
                         "sampling-top-k-ties"),
}  # fmt: skip

grade = grade_fixture()


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    assert_named(grade(KATA, FIXTURES / KATA / f"{fixture}.py"), must_fail, phrase, mistake, only=True)


@pytest.mark.parametrize("fixture", ["temperature_multiplied", "top_p_excludes_crossing_token", "global_rng"])
def test_wrong_fixtures_are_named_on_other_seeds_too(fixture: str, grade: Grade) -> None:
    must_fail, _, mistake = WRONG[fixture]
    for seed in SEEDS:
        result = grade(KATA, FIXTURES / KATA / f"{fixture}.py", seed)
        assert set(result.failing_tests) == must_fail, failures(result)
        assert all(t.diagnosis == [mistake] for t in result.tests if not t.passed), failures(result)


def test_every_fixture_is_listed_and_has_a_one_line_docstring() -> None:
    assert_fixtures_listed(KATA, set(WRONG))


@pytest.mark.parametrize("alternative", ["CHOICE", "SEARCHSORTED"])
def test_alternative_correct_implementations_pass(alternative: str, tmp_path: Path, grade: Grade) -> None:
    """rng.choice row by row over float64 probs (float32 inputs get a note), or a sort-based
    top-k and np.searchsorted over float32 probs."""
    path = tmp_path / alternative.lower() / "sampling.py"
    path.parent.mkdir()
    path.write_text(globals()[alternative], encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)
    noted = {t.name for t in result.tests if t.notes}
    assert noted == ({"all_three_float32"} if alternative == "CHOICE" else set())
    assert all("probs is float64 for float32 inputs" in t.notes[0] for t in result.tests if t.notes)


CHOICE = '''
import numpy as np


def sample(logits, rng, temperature=1.0, top_k=0, top_p=1.0, n=1):
    B, V = logits.shape
    probs = np.zeros((B, V))
    tokens = np.zeros((B, n), dtype=int)
    for b in range(B):
        z = logits[b].astype(np.float64) / temperature
        if top_k:
            z[z < sorted(z)[-min(top_k, V)]] = -np.inf
        p = np.exp(z - z.max())
        p /= p.sum()
        if top_p < 1.0:
            kept, mass = [], 0.0
            for v in sorted(range(V), key=lambda v: -p[v]):  # sorted() is stable
                if mass >= top_p:
                    break
                kept.append(v)
                mass += p[v]
            p = np.array([p[v] if v in kept else 0.0 for v in range(V)])
            p /= p.sum()
        probs[b] = p
        tokens[b] = rng.choice(V, size=n, p=p)
    return tokens, probs
'''

SEARCHSORTED = '''
import numpy as np


def sample(logits, rng, temperature=1.0, top_k=0, top_p=1.0, n=1):
    z = logits / np.asarray(temperature, dtype=logits.dtype)
    if top_k > 0:
        threshold = -np.partition(-z, top_k - 1, axis=-1)[:, top_k - 1:top_k]
        z = np.where(z >= threshold, z, -np.inf)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)
    if top_p < 1.0:
        order = np.argsort(-probs, axis=-1, kind="mergesort")
        ranked = np.take_along_axis(probs, order, axis=-1)
        before = np.concatenate([np.zeros_like(ranked[:, :1]), np.cumsum(ranked, axis=-1)[:, :-1]], axis=-1)
        keep = np.empty_like(before, dtype=bool)
        np.put_along_axis(keep, order, before < top_p, axis=-1)
        probs = np.where(keep, probs, 0)
        probs = probs / probs.sum(axis=-1, keepdims=True)
    u = rng.random((probs.shape[0], n))
    cdf = np.cumsum(probs, axis=-1)
    tokens = np.stack([np.searchsorted(cdf[b] / cdf[b, -1], u[b], side="right") for b in range(len(cdf))])
    return tokens, probs
'''


def test_a_generator_of_your_own_fails_the_other_seed_test(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "u = rng.random((len(probs), n))", "u = np.random.default_rng(0).random((len(probs), n))")
    result = grade(KATA, path)
    assert set(result.failing_tests) == everything_but(KATA, *GREEDY), failures(result)
    message = next(t.message for t in result.tests if t.name == "other_seed_other_tokens")
    assert "Another Generator seed gave exactly the tokens of temperature_sharpens" in message
    assert all(t.diagnosis == ["sampling-rng-stream"] for t in result.tests if not t.passed)


def test_a_sample_major_loop_is_named(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "u = rng.random((len(probs), n))", "u = rng.random((n, len(probs))).T")
    result = grade(KATA, path)
    failing = [t for t in result.tests if not t.passed]
    assert failing and {t.name for t in failing} <= everything_but(KATA, *GREEDY), failures(result)
    assert all(t.diagnosis == ["sampling-rng-stream"] for t in failing), failures(result)
    assert all("u drawn sample-major, rng.random((n, B)).T" in t.message for t in failing), failures(result)


def test_messages_say_which_output_is_wrong_and_why(grade: Grade) -> None:
    stream = grade(KATA, FIXTURES / KATA / "global_rng.py")
    message = next(t.message for t in stream.tests if t.name == "same_seed_same_tokens")
    assert message.startswith("Called sample(logits=(") and "rng=np.random.default_rng(" in message
    assert "probs: matches" in message and "tokens: " in message and "entries differ" in message
    assert "Called twice with the same Generator seed, your tokens differ in" in message
    assert re.search(r"np\.random\.default_rng\(\d+\)", message)
    temperature = grade(KATA, FIXTURES / KATA / "temperature_multiplied.py")
    message = next(t.message for t in temperature.tests if t.name == "temperature_sharpens")
    assert "temperature=" in message and "probs: wrong values" in message
    assert "Your tokens are exactly the contract's draw from YOUR probs" in message
    ties = grade(KATA, FIXTURES / KATA / "top_k_drops_ties.py")
    message = next(t.message for t in ties.tests if t.name == "top_k_ties")
    assert re.search(r"Row \d keeps exactly top_k=\d+ tokens, but its \d+(st|nd|rd|th) largest logit is tied", message)
    crossing = grade(KATA, FIXTURES / KATA / "top_p_excludes_crossing_token.py")
    message = next(t.message for t in crossing.tests if t.name == "top_p_only")
    assert re.search(r"Row \d keeps tokens holding 0\.\d{4} of the probability, less than top_p=0\.\d+", message)
    log = grade(KATA, FIXTURES / KATA / "returns_log_probs.py")
    message = next(t.message for t in log.tests if t.name == "top_k_only")
    assert "probs: " in message and "NaN or infinite" in message and "not logits or log-probabilities" in message


# --- the plan -------------------------------------------------------------------------------------


def test_plan_docstring_lists_every_test_in_order() -> None:
    listed = re.findall(r"^    (\w+)\s{2,}", SUITE.__doc__ or "", re.MULTILINE)
    assert listed == [p.name for p in SUITE.PLAN] + ["same_seed_same_tokens", "other_seed_other_tokens"]


def test_cases_are_fresh_reproducible_and_have_distinct_dims() -> None:
    cases, again, other = (SUITE.cases(np.random.default_rng(s)) for s in (5, 5, 6))
    assert [c.name for c in cases] == [c.name for c in again] == sorted(names(KATA), key=[c.name for c in cases].index)
    assert len(cases) >= 13
    assert np.array_equal(cases[0].call.args["logits"], again[0].call.args["logits"])
    assert cases[0].call.args["rng"] == again[0].call.args["rng"]
    assert not np.array_equal(cases[0].call.args["logits"], other[0].call.args["logits"])
    for case in cases:
        logits, rng = case.call.args["logits"], case.call.args["rng"]
        assert case.returns == registry.get(KATA).returns and isinstance(rng, RngSeed)
        assert len(set(case.dims.values())) == len(case.dims), (case.name, case.dims)
        assert logits.shape == (case.dims["B"], case.dims["V"]) and logits.dtype == case.dtype
        assert case.call.kwargs.get("n", 1) == case.dims["N"]
        assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)


def test_cases_hold_the_options_of_the_plan() -> None:
    for seed in range(5):
        cases = {c.name: c for c in SUITE.cases(np.random.default_rng(seed))}
        kw = {name: c.call.kwargs for name, c in cases.items()}
        assert kw["defaults_one_sample"] == {} and cases["defaults_one_sample"].dims["N"] == 1
        assert 0.4 <= kw["temperature_sharpens"]["temperature"] <= 0.7
        assert 1.5 <= kw["temperature_flattens"]["temperature"] <= 3.0
        assert set(kw["top_k_only"]) == {"top_k", "n"} and set(kw["top_p_only"]) == {"top_p", "n"}
        assert kw["greedy_top_k_1"]["top_k"] == 1 and kw["tiny_top_p"]["top_p"] == 0.001
        assert cases["many_samples"].dims["N"] >= 20
        assert cases["all_three_float32"].dtype == "float32"
        assert {"temperature", "top_k", "top_p"} <= set(kw["all_three_float32"])
        ties = cases["top_k_ties"]
        k = kw["top_k_ties"]["top_k"]
        kept = mistakes.filtered(ties.call.inputs()) > 0  # (B, V)
        assert (kept.sum(axis=1) > k).all()  # every row keeps its whole tie
        first, same, other = cases["temperature_sharpens"], cases["same_seed_same_tokens"], cases["other_seed_other_tokens"]
        assert same.call.args["rng"] == first.call.args["rng"] != other.call.args["rng"]
        assert np.array_equal(same.call.args["logits"], first.call.args["logits"])
        assert np.array_equal(other.call.args["logits"], first.call.args["logits"])
        assert not np.array_equal(SUITE.reference(other)[0], SUITE.reference(first)[0])
        for name in GREEDY:
            tokens, probs = SUITE.reference(cases[name])
            assert np.array_equal(tokens, np.repeat(probs.argmax(axis=1)[:, None], tokens.shape[1], axis=1))
            assert np.array_equal(probs.max(axis=1), np.ones(len(probs)))


def test_reference_equals_the_numpy_reproducer_and_cases_are_fair() -> None:
    for seed in range(20):
        for case in SUITE.cases(np.random.default_rng(seed)):
            tokens, probs = SUITE.reference(case)
            again_tokens, again_probs = mistakes.sample(case.call.inputs())
            assert tokens.dtype == np.int64 and np.array_equal(tokens, again_tokens), case.name
            assert np.allclose(probs, again_probs, rtol=0, atol=1e-14) and np.allclose(probs.sum(axis=1), 1.0)
            assert SUITE.fair(case)


def test_slips_never_name_the_right_answer() -> None:
    for seed in range(6):
        for case in SUITE.cases(np.random.default_rng(seed)):
            expected = SUITE.reference(case)
            ids, _ = SUITE.diagnose(case, expected, expected)
            assert ids == [], (case.name, ids)


def test_every_slip_is_named_when_it_is_the_answer() -> None:
    """Each slip's own answer (its probs with the contract's draw from them, or its draw of the
    right probs), handed to the diagnosis, names its mistake on some case."""
    unnamed = set(range(len(mistakes.SLIPS)))
    for seed in range(3):
        for case in SUITE.cases(np.random.default_rng(seed)):
            expected = SUITE.reference(case)
            for number, slip in enumerate(mistakes.SLIPS):
                with np.errstate(all="ignore"):
                    answer = slip.reproduce(case.call.inputs(), expected)
                    if slip in mistakes.PROBS_SLIPS and np.all(answer[1] >= 0):
                        answer = (mistakes.draw(case.call.inputs(), answer[1]), answer[1])
                if not SUITE.agree(case)(answer, expected):
                    ids, _ = SUITE.diagnose(case, answer, expected)
                    assert slip.mistake.id in ids, (case.name, slip.note, ids)
                    unnamed.discard(number)
    assert not unnamed, [mistakes.SLIPS[n].note for n in unnamed]


# --- the mistakes ---------------------------------------------------------------------------------


def test_mistakes_are_written_out_and_link_real_questions() -> None:
    known = {q["id"] for path in QUESTIONS.glob("*.yaml") for q in yaml.safe_load(path.read_text())["questions"]}
    ids = [m.id for m in mistakes.MISTAKES]
    assert len(set(ids)) == len(ids) and all(i.startswith("sampling-") for i in ids)
    for mistake in mistakes.MISTAKES:
        assert mistake.title and not mistake.title.endswith(".")
        assert len(mistake.explanation) > 80 and mistake.explanation.endswith(".") and mistake.fix.endswith(".")
        assert mistake.quiz_ids and set(mistake.quiz_ids) <= known, mistake.id
    assert {slip.mistake for slip in mistakes.SLIPS} == set(mistakes.MISTAKES)


# --- the solution against torch and Hugging Face's warpers, without the grader ---------------------




def hugging_face_probs(logits: np.ndarray, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    """Transcribed from transformers' TemperatureLogitsWarper, TopKLogitsWarper and TopPLogitsWarper
    (src/transformers/generation/logits_process.py, commit 00857b6c), applied in generate()'s
    order, then the softmax that sampling takes."""
    scores = torch.tensor(logits, dtype=torch.float64) / temperature
    if top_k > 0:
        k = min(top_k, scores.size(-1))  # Safety check
        indices_to_remove = scores < torch.topk(scores, k)[0][..., -1, None]
        scores = scores.masked_fill(indices_to_remove, -float("inf"))
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
        sorted_indices_to_remove[..., -1:] = 0  # min_tokens_to_keep = 1
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        scores = scores.masked_fill(indices_to_remove, -float("inf"))
    return torch.softmax(scores, dim=-1).numpy()


def random_call(rng: np.random.Generator) -> dict[str, Any]:
    """Distinct logits, options drawn anywhere in their ranges (top_k past V included)."""
    B, V = int(rng.integers(1, 6)), int(rng.integers(2, 30))
    return {
        "logits": rng.standard_normal((B, V)) * rng.uniform(0.2, 4.0),  # (B, V)
        "temperature": float(rng.choice([1.0, rng.uniform(0.1, 5.0)])),
        "top_k": int(rng.choice([0, rng.integers(1, V + 3)])),
        "top_p": float(rng.choice([1.0, rng.uniform(0.01, 0.999)])),
        "n": int(rng.integers(1, 10)),
    }


def test_solution_probs_match_hugging_face_warpers() -> None:
    solve = load_module(registry.get(KATA).solution).sample
    rng = np.random.default_rng(11)
    for _ in range(400):
        call = random_call(rng)
        _, probs = solve(call["logits"], np.random.default_rng(0), call["temperature"], call["top_k"], call["top_p"])
        hf = hugging_face_probs(call["logits"], call["temperature"], call["top_k"], call["top_p"])
        assert np.allclose(probs, hf, rtol=0, atol=1e-12), call


def test_ties_at_the_kth_logit_are_kept_like_hugging_face() -> None:
    solve = load_module(registry.get(KATA).solution).sample
    logits = np.array([[2.0, 1.0, 1.0, 0.5, 1.0, -1.0], [0.0, 0.0, 0.0, 0.0, 3.0, 0.0]])
    _, probs = solve(logits, np.random.default_rng(0), top_k=2)
    assert np.array_equal(probs > 0, [[True, True, True, False, True, False], [True] * 6])
    assert np.allclose(probs, hugging_face_probs(logits, 1.0, 2, 1.0), rtol=0, atol=1e-15)


def test_solution_tokens_are_the_inverse_cdf_and_rng_choice_of_each_row() -> None:
    solve = load_module(registry.get(KATA).solution).sample
    rng = np.random.default_rng(12)
    for seed in range(200):
        call = random_call(rng)
        tokens, probs = solve(call["logits"], np.random.default_rng(seed), call["temperature"], call["top_k"],
                              call["top_p"], call["n"])  # fmt: skip
        assert tokens.dtype == np.int64 and tokens.shape == (len(probs), call["n"])
        assert np.all(probs[np.arange(len(probs))[:, None], tokens] > 0)  # never a filtered token
        u = torch.from_numpy(np.random.default_rng(seed).random(tokens.shape))
        cdf = torch.from_numpy(probs).cumsum(-1)
        assert np.array_equal(tokens, torch.searchsorted(cdf / cdf[:, -1:], u, right=True).numpy())
        choice = np.random.default_rng(seed)
        assert np.array_equal(tokens, [choice.choice(probs.shape[1], size=call["n"], p=row) for row in probs])


def test_solution_keeps_float32_and_leaves_inputs_alone() -> None:
    solve = load_module(registry.get(KATA).solution).sample
    logits = np.random.default_rng(2).standard_normal((3, 9)).astype(np.float32)  # (3, 9)
    before = logits.copy()
    tokens, probs = solve(logits, np.random.default_rng(1), 0.7, 4, 0.8, 5)
    assert probs.dtype == np.float32 and tokens.dtype == np.int64 and np.array_equal(logits, before)
    assert np.allclose(probs, hugging_face_probs(logits.astype(np.float64), 0.7, 4, 0.8), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        solve(logits, np.random.default_rng(1), temperature=0.0)


def test_worked_example_of_the_readme() -> None:
    readme = registry.get(KATA).readme.read_text(encoding="utf-8")
    solve = load_module(registry.get(KATA).solution).sample
    logits = np.array([[1.0, 3.0, 0.0, 2.0, -1.0]])
    tokens, probs = solve(logits, np.random.default_rng(0), temperature=2.0, top_k=4, top_p=0.7, n=4)
    assert np.allclose(probs, hugging_face_probs(logits, 2.0, 4, 0.7), atol=1e-15)
    no_p_tokens, no_p = solve(logits, np.random.default_rng(0), temperature=2.0, top_k=4, n=4)
    plain_tokens, _ = solve(logits, np.random.default_rng(0), n=4)
    u = np.random.default_rng(0).random((1, 4))
    ranked = -np.sort(-no_p[0])[:4]
    shown = [
        f"renormalised probs                  = {fmt(probs[0])}",
        f"softmax                             = {fmt(no_p[0])}",
        f"u = rng.random((1, 4))              = {fmt(u[0])}",
        f"cdf                                 = {fmt(np.cumsum(probs[0]) / probs[0].sum())}",
        f"tokens                              = [{tokens[0].tolist()}]",
        f"mass before each: {', '.join(f'{m:.4g}' if m == 0 else f'{m:.4f}' for m in np.cumsum(ranked) - ranked)}",
        f"gives tokens `[{no_p_tokens[0].tolist()}]`",
        f"it gives `[{plain_tokens[0].tolist()}]`",
        f"{ranked[0]:.4f} + {ranked[1]:.4f} = {ranked[0] + ranked[1]:.4f}",
    ]
    for text in shown:
        assert text in readme, text


def fmt(row: np.ndarray) -> str:
    """'[[0.0, 0.6225, ...]]' as the README prints a row: 4 decimals, exact 0 and 1 as 0.0, 1.0."""
    return "[[" + ", ".join(f"{v:.1f}" if v in (0.0, 1.0) else f"{v:.4f}" for v in row) + "]]"
