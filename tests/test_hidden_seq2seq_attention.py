"""The seq2seq_attention kata: its hidden suite through the real check_file (the solution passes
on several seeds, the starter fails, every wrong fixture fails exactly the tests it should and
is named, with where it goes wrong first), the plan, and direct checks of
solutions/seq2seq_attention.py against the torch network (nn.Embedding, nn.GRU, nn.GRUCell,
nn.Linear, F.cross_entropy) that do not go through the grader, including the proof that the
decoder's h0 is the h_n of a GRU run on pack_padded_sequence.
"""

from __future__ import annotations

import re
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
    everything_but,
    failures,
    grade_fixture,
    load_module,
    suite_of,
    variant,
)
from torch.nn.utils.rnn import pack_padded_sequence

from rnnprep import registry
from rnnprep.diagnosis import forward
from rnnprep.diagnosis import seq2seq_attention as mistakes

KATA = "seq2seq_attention"
SUITE = suite_of(KATA)
QUESTIONS = Path(__file__).resolve().parent.parent / "questions"
FULL = "all_full_length"
BEFORE = "already wrong at the first decoder step t=0"
AFTER = "the error sits AFTER the attention"
# fixture -> (exactly the tests that fail, a phrase a failing message holds, the mistake id)
WRONG: dict[str, tuple[set[str], str, str]] = {
    "init_from_padded_end": (everything_but(KATA, FULL), "whose sources are padded", "seq2seq-init-padded-end"),
    "attention_not_masked": (everything_but(KATA, FULL), "attn puts weight on padded source positions",
                             "seq2seq-attention-unmasked"),
    "teacher_forcing_unshifted": (everything_but(KATA), BEFORE, "seq2seq-teacher-forcing-unshifted"),
    "concat_h_then_c": (everything_but(KATA), AFTER, "seq2seq-concat-order"),
    "paper_gru": (everything_but(KATA), BEFORE, "gru-reset-placement"),
    "loss_summed": (everything_but(KATA), AFTER, "seq2seq-loss-sum"),
}  # fmt: skip

grade = grade_fixture()




SOLUTION = load_module(registry.get(KATA).solution)


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    result = grade(KATA, FIXTURES / KATA / f"{fixture}.py")
    assert_named(result, must_fail, phrase, mistake, every=True)
    assert all(t.message.startswith("Called seq2seq_loss(") for t in result.tests if not t.passed)


def test_every_fixture_is_listed_and_has_a_one_line_docstring() -> None:
    assert_fixtures_listed(KATA, set(WRONG))


def test_where_it_goes_wrong_first(grade: Grade) -> None:
    init = grade(KATA, FIXTURES / KATA / "init_from_padded_end.py")
    message = next(t.message for t in init.tests if t.name == "padded_float64")
    assert BEFORE in message and "the decoder's initial state (enc_out at src_lengths - 1)" in message
    assert "the full-length rows are right" in message
    assert "Your answer is exactly what this slip gives: the decoder starts from enc_out[:, -1]" in message
    concat = grade(KATA, FIXTURES / KATA / "concat_h_then_c.py")
    message = next(t.message for t in concat.tests if t.name == "padded_float64")
    assert "attn: matches" in message and AFTER in message and "loss: wrong values in 1 of 1" in message


def test_an_alternative_correct_implementation_passes(tmp_path: Path, grade: Grade) -> None:
    """A packed-style encoder that holds finished rows (its final h is h0), one-hot logsumexp
    cross-entropy, float64 arithmetic for float32 parameters (passes with a note)."""
    path = tmp_path / "seq2seq_attention.py"
    path.write_text(ALTERNATIVE, encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)
    noted = {t.name for t in result.tests if t.notes}
    assert noted == {"padded_float32"} and "attn is float64 for float32 inputs" in result.tests[1].notes[0]


ALTERNATIVE = '''
import numpy as np


def gru(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[1]
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    r = 1 / (1 + np.exp(-(gi[:, :H] + gh[:, :H])))
    z = 1 / (1 + np.exp(-(gi[:, H:2 * H] + gh[:, H:2 * H])))
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h


def seq2seq_loss(src, src_lengths, tgt, params, bos):
    p = {k: v.astype(np.float64) for k, v in params.items()}
    enc = [p["enc.weight_ih"], p["enc.weight_hh"], p["enc.bias_ih"], p["enc.bias_hh"]]
    dec = [p["dec.weight_ih"], p["dec.weight_hh"], p["dec.bias_ih"], p["dec.bias_hh"]]
    B, S = src.shape
    T = tgt.shape[1]
    H = enc[1].shape[1]
    h = np.zeros((B, H))
    outputs = []
    for s in range(S):
        new = gru(p["src_embed"][src[:, s]], h, *enc)
        outputs.append(new)
        h = np.where((s < src_lengths)[:, None], new, h)  # finished rows keep their last real state
    enc_out = np.stack(outputs, axis=1)
    attn = np.zeros((B, T, S))
    total = 0.0
    prev = np.full(B, bos)
    for t in range(T):
        h = gru(p["tgt_embed"][prev], h, *dec)
        scores = np.einsum("bsh,bh->bs", enc_out, h)
        scores[np.arange(S)[None, :] >= src_lengths[:, None]] = -np.inf
        w = np.exp(scores - scores.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        attn[:, t] = w
        c = (w[:, :, None] * enc_out).sum(axis=1)
        logits = np.tanh(np.hstack([c, h]) @ p["W_c"].T + p["b_c"]) @ p["W_out"].T + p["b_out"]
        top = logits.max(axis=1)
        lse = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        total += (lse - logits[np.arange(B), tgt[:, t]]).sum()
        prev = tgt[:, t]
    return total / (B * T), attn
'''


def test_other_slips_are_named(tmp_path: Path, grade: Grade) -> None:
    zeros = variant(tmp_path / "a", KATA, "h = enc_out[np.arange(B), np.asarray(src_lengths) - 1]",
                    "h = np.zeros_like(enc_out[:, 0])")  # fmt: skip
    result = grade(KATA, zeros)
    assert set(result.failing_tests) == everything_but(KATA) and result.diagnosis == ["seq2seq-init-padded-end"]
    assert "the decoder starts from zeros" in result.tests[0].message
    time_sum = variant(tmp_path / "b", KATA, "return float(nll.mean()), attn", "return float(nll.sum(axis=1).mean()), attn")
    result = grade(KATA, time_sum)
    assert result.diagnosis == ["seq2seq-loss-sum"] and "summed over time and averaged over the batch" in result.tests[0].message
    flipped = variant(tmp_path / "c", KATA, "return (1 - z) * n + z * h  # (B, H)", "return z * n + (1 - z) * h  # (B, H)")
    result = grade(KATA, flipped)
    assert result.diagnosis == [forward.GRU_INTERPOLATION_FLIPPED.id], failures(result)


# --- the plan -------------------------------------------------------------------------------------


def test_cases_are_fresh_reproducible_and_have_distinct_sizes() -> None:
    cases, again, other = (SUITE.cases(np.random.default_rng(s)) for s in (5, 5, 6))
    assert [c.name for c in cases] == [p.name for p in SUITE.PLAN] == [c.name for c in again]
    first, second, third = (c[0].call.args["params"]["W_c"] for c in (cases, again, other))
    assert np.array_equal(first, second) and (first.shape != third.shape or not np.array_equal(first, third))
    for case in cases:
        assert case.returns == registry.get(KATA).returns
        sizes = [*case.dims.values(), 2 * case.dims["H"], 3 * case.dims["H"]]
        assert len(set(sizes)) == len(sizes), (case.name, case.dims)
        assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)
        assert all(v.dtype == case.dtype for v in case.call.args["params"].values())
        a = case.call.args
        assert a["src"].dtype == a["tgt"].dtype == a["src_lengths"].dtype == np.int64
        assert a["src"].max() < case.dims["Vs"] and a["tgt"].max() < case.dims["Vt"] and 0 <= a["bos"] < case.dims["Vt"]
        assert a["tgt"][0, 0] != a["bos"]  # feeding tgt_0 instead of bos always changes something
        assert set(a["params"]) == {
            "src_embed", "tgt_embed", "W_c", "b_c", "W_out", "b_out",
            *(f"{p}.{n}" for p in ("enc", "dec") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")),
        }  # fmt: skip


def test_plan_covers_padding_lengths_and_steps() -> None:
    for seed in range(4):
        cases = {c.name: c for c in SUITE.cases(np.random.default_rng(seed))}
        assert {c.dtype for c in cases.values()} == {"float64", "float32"}
        for name, case in cases.items():
            lengths, S = case.call.args["src_lengths"], case.dims["S"]
            assert lengths.min() >= 1 and lengths.max() == S
            if name != FULL:
                assert lengths.min() < S and np.any(np.diff(lengths) != 0)
        assert (cases[FULL].call.args["src_lengths"] == cases[FULL].dims["S"]).all()
        assert cases["single_target_step"].dims["T"] == 1
        assert 1 in cases["length_one_source"].call.args["src_lengths"]
        assert cases["long_sequences"].dims["S"] >= 12 and cases["long_sequences"].dims["T"] >= 10


def test_every_quiz_id_exists_and_every_mistake_is_reachable() -> None:
    known = set(re.findall(r"^\s*- id: (\S+)$", "\n".join(p.read_text() for p in QUESTIONS.glob("*.yaml")), re.M))
    ids = [m.id for m in mistakes.MISTAKES]
    assert len(set(ids)) == len(ids) and all(i.startswith("seq2seq-") for i in ids)
    for mistake in mistakes.MISTAKES:
        assert mistake.quiz_ids and set(mistake.quiz_ids) <= known, mistake.id
    reused = {forward.GRU_RESET_PLACEMENT.id, forward.GRU_INTERPOLATION_FLIPPED.id}
    assert {slip.mistake.id for slip in mistakes.SLIPS} == set(ids) | reused
    assert {m for _, _, m in WRONG.values()} == set(ids) | {forward.GRU_RESET_PLACEMENT.id}


# --- the solution against torch, without the grader ------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_solution_matches_the_torch_network(seed: int) -> None:
    for case in SUITE.cases(np.random.default_rng(100 + seed)):
        loss, attn = SOLUTION.seq2seq_loss(**case.call.args)
        expected = SUITE.forward(case.call.inputs())
        tol = 1e-10 if case.dtype == "float64" else 2e-5
        assert isinstance(loss, float) and abs(loss - float(expected["loss"])) < tol * max(1.0, abs(loss))
        assert attn.dtype == case.dtype and attn.shape == (case.dims["B"], case.dims["T"], case.dims["S"])
        assert np.abs(attn - expected["attn"].numpy()).max() < tol
        padded = np.arange(case.dims["S"])[None, None, :] >= case.call.args["src_lengths"][:, None, None]
        assert np.all(np.where(padded, attn, 0.0) == 0.0)  # exactly 0 on the padding
        assert np.allclose(attn.sum(axis=2), 1.0, atol=1e-5)


def test_the_decoder_starts_from_the_h_n_of_a_packed_gru() -> None:
    """enc_out[b, src_lengths[b] - 1] of the GRU run over the padded batch is the h_n of the same
    GRU on pack_padded_sequence(enforce_sorted=False): the padding never reaches h0."""
    for case in SUITE.cases(np.random.default_rng(9)):
        a = case.call.inputs()
        m = SUITE.modules(a["params"])
        src, lengths = torch.from_numpy(a["src"]), torch.from_numpy(a["src_lengths"])
        with torch.no_grad():
            packed = pack_padded_sequence(m["src_embed"](src), lengths, batch_first=True, enforce_sorted=False)
            _, h_n = m["encoder"](packed)  # (1, B, H) in the batch's own order
        h0 = SUITE.forward(a)["h0"]  # (B, H)
        assert torch.allclose(h0, h_n[0], atol=1e-12, rtol=0), case.name
        if case.name != FULL:  # and the padded end is something else
            enc_out = SUITE.forward(a)["enc_out"]
            assert not torch.allclose(enc_out[:, -1], h_n[0])


def test_worked_example_of_the_readme() -> None:
    readme = registry.get(KATA).readme.read_text(encoding="utf-8")
    gru = {"weight_ih": [[0.5], [0.4], [0.8]], "weight_hh": [[0.1], [0.2], [-0.5]],
           "bias_ih": [0.0, 0.5, 0.0], "bias_hh": [0.1, 0.0, 0.2]}  # fmt: skip
    params = {f"{p}.{k}": np.array(v) for p in ("enc", "dec") for k, v in gru.items()}
    params |= {"src_embed": np.array([[1.0], [-2.0], [0.5]]), "tgt_embed": np.array([[0.5], [-1.0], [1.0]]),
               "W_c": np.array([[1.0, 0.5]]), "b_c": np.array([0.0]),
               "W_out": np.array([[1.0], [-1.0], [0.0]]), "b_out": np.array([0.0, 0.0, 0.5])}  # fmt: skip
    inputs: dict[str, Any] = {"src": np.array([[0, 1, 2], [2, 0, 1]]), "src_lengths": np.array([2, 3]),
                              "tgt": np.array([[1, 0], [0, 0]]), "params": params, "bos": 2}  # fmt: skip
    out = {k: v.numpy() for k, v in SUITE.forward(inputs).items()}
    loss, attn = SOLUTION.seq2seq_loss(**inputs)
    assert abs(loss - float(out["loss"])) < 1e-12 and np.allclose(attn, out["attn"], atol=1e-12)
    assert f"`loss = {loss:.4f}`" in readme
    enc = out["enc_out"][..., 0]
    assert f"enc_out[:, :, 0] = [{row(enc[0])}, {row(enc[1])}]" in readme
    assert f"h0 = {row(out['h0'][:, 0])}" in readme and f"not {enc[0, -1]:.4f})" in readme
    log_probs = torch.log_softmax(torch.from_numpy(out["logits"]), dim=-1).numpy()  # (B, T, Vt)
    nll = -np.take_along_axis(log_probs, inputs["tgt"][..., None], axis=-1)[..., 0]  # (B, T)
    h_tilde = np.tanh(np.concatenate([out["c"], out["h"]], axis=2) @ params["W_c"].T + params["b_c"])  # (B, T, 1)
    for t in range(2):
        cells = [out["h"][:, t, 0], attn[0, t], attn[1, t], out["c"][:, t, 0], h_tilde[:, t, 0], nll[:, t]]
        line = f"| {t} | " + " | ".join(cell(values) for values in cells) + " |"
        assert line in readme, line


def row(values: np.ndarray) -> str:
    """'[0.2111, -0.4255, -0.0784]' as the README prints it."""
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


def cell(values: np.ndarray) -> str:
    """'0.4915, 0.5085, 0.0': a table cell, exact zeros printed as 0.0."""
    return ", ".join("0.0" if v == 0 else f"{v:.4f}" for v in values)
