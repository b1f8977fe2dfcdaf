"""The masked_loss kata: its hidden suite through the real check_file (the solution passes on
several seeds, the starter fails, every wrong fixture fails exactly the tests it should and is
named), the plan, targeted messages, the README's worked example, and direct checks of
solutions/masked_loss.py against torch's F.cross_entropy that do not go through the grader.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
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
from rnnprep.diagnosis import advanced
from rnnprep.diagnosis import masked_loss as mistakes

KATA = "masked_loss"
SUITE = suite_of(KATA)
QUESTIONS = Path(__file__).resolve().parent.parent / "questions"

FULL = "full_length_sequence"
HUGE = "huge_logits"
PADDED_WITH_MINUS_100 = ("token_padding_ignore_index", HUGE)
SEQUENCE = "sequence_average"
# fixture -> (exactly the tests that fail, a phrase a failing message holds, the mistake id)
WRONG: dict[str, tuple[set[str], str, str]] = {
    "ignores_only_minus_100": (everything_but(KATA, FULL, *PADDED_WITH_MINUS_100),
                               "padding positions (t >= lengths[b]) that hold 0 or a real id were counted",
                               "masked-loss-counts-padding"),
    "divides_by_all_positions": (everything_but(KATA, FULL), "divided by every position, padding included",
                                 "masked-loss-wrong-denominator"),
    "averages_swapped": (everything_but(KATA, FULL), "the other average: per sequence where per token",
                         "masked-loss-average-swapped"),
    "perplexity_base_2": (everything_but(KATA), "perplexity = 2 ** loss", "masked-loss-perplexity"),
    "naive_softmax": ({HUGE}, "NaN or infinite", "softmax-overflow"),
    "mask_off_by_one": (everything_but(KATA, FULL), "the mask keeps t <= lengths[b]", "masked-loss-mask-off-by-one"),
}  # fmt: skip

grade = grade_fixture()


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # naive_softmax overflows on purpose
@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    assert_named(grade(KATA, FIXTURES / KATA / f"{fixture}.py"), must_fail, phrase, mistake, only=True)


@pytest.mark.parametrize("fixture", ["ignores_only_minus_100", "averages_swapped", "mask_off_by_one"])
def test_wrong_fixtures_are_named_on_other_seeds_too(fixture: str, grade: Grade) -> None:
    must_fail, _, mistake = WRONG[fixture]
    for seed in SEEDS:
        result = grade(KATA, FIXTURES / KATA / f"{fixture}.py", seed)
        assert set(result.failing_tests) == must_fail, failures(result)
        assert all(t.diagnosis == [mistake] for t in result.tests if not t.passed), failures(result)


def test_every_fixture_is_listed_and_has_a_one_line_docstring() -> None:
    assert_fixtures_listed(KATA, set(WRONG))


def test_an_alternative_correct_implementation_passes(tmp_path: Path, grade: Grade) -> None:
    """Loops over sequences and tokens, np.logaddexp, float32 kept, numpy scalars returned."""
    path = tmp_path / "masked_loss.py"
    path.write_text(ALTERNATIVE, encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)
    assert not any(t.notes for t in result.tests)  # plain floats carry no dtype note


ALTERNATIVE = '''
import numpy as np


def masked_loss(logits, targets, lengths, average="token"):
    per_sequence = []
    total, count = logits.dtype.type(0), 0
    for b in range(logits.shape[0]):
        losses = []
        for t in range(int(lengths[b])):
            row = logits[b, t]
            losses.append(np.logaddexp.reduce(row) - row[targets[b, t]])
        per_sequence.append(sum(losses) / len(losses))
        total += sum(losses)
        count += len(losses)
    token = total / count
    loss = token if average == "token" else np.mean(per_sequence)
    return loss, np.exp(token)
'''


def test_a_token_average_over_all_positions_is_named_where_only_perplexity_shows_it(tmp_path: Path, grade: Grade) -> None:
    """The solution dividing the token average by B*T: in sequence_average only its perplexity
    (exp of that token average) is wrong, and the denominator slip still names it."""
    path = variant(tmp_path, KATA, "nll.sum() / real.sum()", "nll.sum() / real.size")
    result = grade(KATA, path)
    assert set(result.failing_tests) == WRONG["divides_by_all_positions"][0] | {SEQUENCE}, failures(result)
    sequence = next(t for t in result.tests if t.name == SEQUENCE)
    # the sequence average is right; only the perplexity, taken from the wrong token average, is not
    assert sequence.diagnosis == ["masked-loss-wrong-denominator"], sequence.message
    assert "loss is right, perplexity is not" in sequence.message


def test_messages_say_which_number_is_wrong_and_why(grade: Grade) -> None:
    padding = grade(KATA, FIXTURES / KATA / "ignores_only_minus_100.py")
    message = next(t.message for t in padding.tests if t.name == "token_padding_zero")
    assert message.startswith("Called masked_loss(logits=(")
    assert "average='token'" in message and "padding filled with 0, a real token id" in message
    assert "loss: wrong values in 1 of 1 entries" in message and "perplexity: wrong values" in message
    assert "Build the mask from the lengths, never from the target values" in message
    base2 = grade(KATA, FIXTURES / KATA / "perplexity_base_2.py")
    message = next(t.message for t in base2.tests if t.name == FULL)
    assert "loss is right, perplexity is not" in message and "loss: matches" in message
    swapped = grade(KATA, FIXTURES / KATA / "averages_swapped.py")
    message = next(t.message for t in swapped.tests if t.name == SEQUENCE)
    assert "perplexity is right, so your per-token losses and your mask are right" in message
    message = next(t.message for t in swapped.tests if t.name == "default_average")
    assert "Called masked_loss(logits=(" in message and "average=" not in message.splitlines()[0]
    assert "return the TOKEN average" in message


# --- the plan -------------------------------------------------------------------------------------


def test_plan_docstring_lists_every_test_in_order() -> None:
    listed = re.findall(r"^    (\w+)\s{2,}", SUITE.__doc__ or "", re.MULTILINE)
    assert listed == [p.name for p in SUITE.PLAN]


def test_cases_are_fresh_reproducible_and_have_distinct_dims() -> None:
    cases, again, other = (SUITE.cases(np.random.default_rng(s)) for s in (5, 5, 6))
    assert [c.name for c in cases] == [p.name for p in SUITE.PLAN] == [c.name for c in again]
    assert len(names(KATA)) == len(cases) >= 9
    assert np.array_equal(cases[0].call.args["logits"], again[0].call.args["logits"])
    assert not np.array_equal(cases[0].call.args["logits"], other[0].call.args["logits"])
    for case in cases:
        a = case.call.args
        assert case.returns == registry.get(KATA).returns
        assert len(set(case.dims.values())) == len(case.dims), (case.name, case.dims)
        assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)
        assert a["logits"].dtype == case.dtype and a["targets"].dtype == a["lengths"].dtype == np.int64
        B, T, V = a["logits"].shape
        assert case.dims == {"B": B, "T": T, "V": V}
        assert a["lengths"].min() >= 1 and a["lengths"].max() <= T
        real = np.arange(T)[None, :] < a["lengths"][:, None]  # (B, T)
        assert a["targets"][real].min() >= 0 and a["targets"][real].max() < V
        if case.name == FULL:
            assert real.all()
        else:  # two padding positions somewhere: counting one too many is not counting them all
            assert a["lengths"].min() <= T - 2 and len(set(a["lengths"].tolist())) > 1


def test_cases_hold_the_padding_and_the_options_of_the_plan() -> None:
    for seed in range(4):
        cases = {c.name: c for c in SUITE.cases(np.random.default_rng(seed))}
        for name, case in cases.items():
            a = case.call.args
            padding = a["targets"][np.arange(a["logits"].shape[1])[None, :] >= a["lengths"][:, None]]
            if name in PADDED_WITH_MINUS_100:
                assert (padding == -100).all()
            elif name in ("token_padding_zero", "float32_logits"):
                assert (padding == 0).all()
            else:
                assert (padding >= 0).all()
        assert "average" not in cases["default_average"].call.kwargs
        assert cases[SEQUENCE].call.kwargs == {"average": "sequence"}
        assert min(cases[SEQUENCE].call.args["lengths"]) <= 2
        assert max(cases[SEQUENCE].call.args["lengths"]) == cases[SEQUENCE].dims["T"]
        assert min(cases["single_token_sequence"].call.args["lengths"]) == 1
        assert np.abs(cases[HUGE].call.args["logits"]).min() > 900
        token, sequence = SUITE.reference(cases[FULL])[0], torch_loss(cases[FULL].call.args, "token")[0]
        assert abs(token - sequence) < 1e-12  # padding-free: the two averages agree


def test_slips_never_name_the_right_answer() -> None:
    for seed in range(6):
        for case in SUITE.cases(np.random.default_rng(seed)):
            expected = SUITE.reference(case)
            ids, _ = SUITE.diagnose(case, expected, expected)
            assert ids == [], (case.name, ids)


def test_every_slip_is_named_when_it_is_the_answer() -> None:
    """Each slip's own answer, handed to the diagnosis, names its mistake on some case."""
    unnamed = set(range(len(mistakes.SLIPS)))
    for seed in range(3):
        for case in SUITE.cases(np.random.default_rng(seed)):
            expected = SUITE.reference(case)
            for number, slip in enumerate(mistakes.SLIPS):
                with np.errstate(all="ignore"):
                    answer = slip.reproduce(case.call.inputs(), expected)
                if not SUITE.agree(case)(answer, expected):
                    ids, _ = SUITE.diagnose(case, answer, expected)
                    assert slip.mistake.id in ids, (case.name, slip.note, ids)
                    unnamed.discard(number)
    assert not unnamed, [mistakes.SLIPS[n].note for n in unnamed]


# --- the mistakes ---------------------------------------------------------------------------------


def test_mistakes_are_written_out_and_link_real_questions() -> None:
    known = {q["id"] for path in QUESTIONS.glob("*.yaml") for q in yaml.safe_load(path.read_text())["questions"]}
    ids = [m.id for m in mistakes.MISTAKES]
    assert len(set(ids)) == len(ids) and all(i.startswith("masked-loss-") for i in ids)
    for mistake in mistakes.MISTAKES:
        assert mistake.title and not mistake.title.endswith(".")
        assert len(mistake.explanation) > 80 and mistake.explanation.endswith(".") and mistake.fix.endswith(".")
        assert mistake.quiz_ids and set(mistake.quiz_ids) <= known, mistake.id
    assert {slip.mistake for slip in mistakes.SLIPS} == {*mistakes.MISTAKES, advanced.SOFTMAX_OVERFLOW}


# --- the solution against torch, without the grader ------------------------------------------------




def torch_loss(args: dict[str, Any], average: str) -> tuple[float, float]:
    """F.cross_entropy on the real positions, written independently of the suite."""
    logits = torch.tensor(args["logits"], dtype=torch.float64)  # (B, T, V)
    losses, per_sequence = [], []
    for b in range(len(logits)):
        L = int(args["lengths"][b])
        row = F.cross_entropy(logits[b, :L], torch.from_numpy(args["targets"][b, :L]), reduction="none")  # (L,)
        losses.append(row)
        per_sequence.append(row.mean())
    token = torch.cat(losses).mean()
    loss = token if average == "token" else torch.stack(per_sequence).mean()
    return loss.item(), torch.exp(token).item()


def random_args(rng: np.random.Generator, dtype: type, pad: int | None) -> dict[str, Any]:
    B, T, V = (int(n) for n in rng.integers(1, 9, size=3))
    V += 1  # at least 2 classes
    lengths = rng.integers(1, T + 1, size=B)  # (B,)
    targets = rng.integers(0, V, size=(B, T))  # (B, T)
    padded = np.arange(T)[None, :] >= lengths[:, None]  # (B, T)
    targets[padded] = rng.integers(0, V, size=int(padded.sum())) if pad is None else pad
    logits = rng.standard_normal((B, T, V)) * rng.uniform(0.1, 5)  # (B, T, V)
    return {"logits": logits.astype(dtype), "targets": targets, "lengths": lengths}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pad", [-100, 0, None])
def test_solution_matches_cross_entropy_with_ignore_index(dtype: type, pad: int | None) -> None:
    solve = load_module(registry.get(KATA).solution).masked_loss
    rng = np.random.default_rng(7)
    tol = 1e-10 if dtype is np.float64 else 2e-5
    for _ in range(40):
        args = random_args(rng, dtype, pad)
        for average in ("token", "sequence"):
            loss, ppl = solve(**args, average=average)
            want_loss, want_ppl = torch_loss(args, average)
            assert isinstance(loss, float) and isinstance(ppl, float)
            assert abs(loss - want_loss) <= tol * max(1.0, want_loss)
            assert abs(ppl - want_ppl) <= tol * want_ppl
            assert mistakes.masked_loss({**args, "average": average}) == pytest.approx((want_loss, want_ppl), rel=tol)
        assert solve(**args) == solve(**args, average="token")


def test_solution_survives_huge_logits_and_leaves_inputs_alone() -> None:
    solve = load_module(registry.get(KATA).solution).masked_loss
    args = random_args(np.random.default_rng(3), np.float64, -100)
    shift = 5000.0 * np.sign(np.random.default_rng(4).standard_normal(args["logits"].shape[:2]))  # (B, T)
    args["logits"] = args["logits"] + shift[..., None]  # (B, T, V): exp() of any of them overflows
    before = {k: v.copy() for k, v in args.items()}
    loss, ppl = solve(**args, average="sequence")
    assert np.isfinite(loss) and np.isfinite(ppl) and loss == pytest.approx(torch_loss(args, "sequence")[0])
    assert all(np.array_equal(args[k], before[k]) for k in args)
    with pytest.raises(ValueError):
        solve(**args, average="batch")


def test_worked_example_of_the_readme() -> None:
    readme = registry.get(KATA).readme.read_text(encoding="utf-8")
    solve = load_module(registry.get(KATA).solution).masked_loss
    logits = np.array([[[2, 0, 0], [0, 0, 0], [1, 3, 0]], [[0, 0, 0], [0, 1, 2], [1, 1, 1]]], dtype=float)
    args = {"logits": logits, "targets": np.array([[0, 1, 0], [2, -100, -100]]), "lengths": np.array([2, 1])}
    token, ppl = solve(**args)
    sequence, same_ppl = solve(**args, average="sequence")
    assert (token, ppl) == pytest.approx(torch_loss(args, "token")) and same_ppl == ppl
    assert sequence == pytest.approx(torch_loss(args, "sequence")[0])
    nll = -torch.log_softmax(torch.tensor(logits), -1)  # (B, T, V)
    shown = {
        f"= {nll[0, 0, 0]:.4f}": nll[0, 0, 0], f"= {nll[0, 1, 1]:.4f}": nll[0, 1, 1],
        f"nll is {nll[0, 2, 0]:.4f}": nll[0, 2, 0],
        f"= {token:.4f}": token, f"= {sequence:.4f}": sequence, f"exp({token:.4f}) = {ppl:.4f}": ppl,
        f"token loss {mistakes.masked_loss(args, mask='ignore_index')[0]:.4f}": 0,
        f"token loss {mistakes.masked_loss(args, divide='all')[0]:.4f}": 0,
    }  # fmt: skip
    for text in shown:
        assert text in readme, text
    assert f"({nll[0, 0, 0]:.4f} + {nll[0, 1, 1]:.4f} + {nll[1, 0, 2]:.4f}) / 3" in readme
