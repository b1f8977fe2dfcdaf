"""Hidden suite of attention: luong_attention(query, keys, mask, score="dot", W_a=None) and
bahdanau_attention(query, keys, mask, W_q, W_k, v), each -> (context (B, K), weights (B, S)).

The references are torch ops in float64, one per score (the keys are also the values):

- "dot" (Luong et al. 2015, Section 3.1, Eq. 8): score_s = h_t^T h_s, torch.bmm(keys, q);
- "general" (same equation): score_s = h_t^T W_a h_s with the decoder state h_t = query (Q)
  on the left and the encoder state h_s = keys[:, s] (K) on the right, so W_a is (Q, K);
  computed with F.bilinear, which is exactly x1^T A x2;
- "scaled_dot": the dot score / sqrt(K) (Vaswani et al. 2017, Section 3.2.1); the context
  comes from F.scaled_dot_product_attention itself, with the boolean attn_mask (True = the
  position takes part, as its documentation says: masked_fill(~mask, -inf) before the
  softmax);
- bahdanau (Bahdanau, Cho & Bengio 2014, Section 3.1 and Appendix A.1.2, additive
  attention): score_s = v^T tanh(W_q q + W_k k_s), with F.linear.

Then weights = softmax(scores.masked_fill(~mask, -inf), dim=1) and context = weights @ keys.
Masked positions must get weight EXACTLY 0: a weight within the tolerance but not 0 fails
with its own message. Keys at masked positions hold noise, never zeros, so that nothing
which reads the padding can pass. Sizes all differ; Q != K wherever the score allows it
(general, bahdanau), so a W_a used the wrong way round raises instead of hiding.

The plan:

    dot_padded               luong "dot" (Q == K), right-padded rows in no order, one full
    dot_default_no_padding   luong with score and W_a left out (defaults "dot", None), no padding
    general_padded           luong "general", W_a (Q, K) with Q != K
    scaled_dot_padded        luong "scaled_dot", against F.scaled_dot_product_attention
    bahdanau_padded          bahdanau, W_q (A, Q), W_k (A, K), v (A,) with Q, K, A distinct
    scattered_mask_general   luong "general", masked positions anywhere (not a right-padded prefix)
    one_real_position        bahdanau, heavy padding: a row with one real position (weight 1 there)
    large_scores_dot         luong "dot", real scores up to 1000 and padding at 1200: exp() overflows
                             unless the max is subtracted, and the padding must still get 0
    scaled_dot_float32       luong "scaled_dot", float32 (a float64 result passes with a note)
    general_float32          luong "general", float32
    bahdanau_float32         bahdanau, float32
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rnnprep.diagnosis import advanced, lines_for
from rnnprep.diagnosis import attention as mistakes
from rnnprep.diagnosis.slips import matching
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import tensor, to_numpy

KATA = suite.kata("attention")
LUONG, BAHDANAU = KATA.entry
Submission = Callable[[suite.Case], Any]

LARGE = 1000.0  # the largest score of each row in large_scores_dot: exp(1000) overflows float64

# fmt: off
PLAN = (
    suite.Planned("dot_padded", "luong 'dot' (Q == K), right-padded rows in no order",
                  {"score": "dot"}),
    suite.Planned("dot_default_no_padding", "luong with score and W_a left out (defaults 'dot', None), no padding",
                  {"score": None, "padding": "none"}),
    suite.Planned("general_padded", "luong 'general', W_a of shape (Q, K) with Q != K",
                  {"score": "general"}),
    suite.Planned("scaled_dot_padded", "luong 'scaled_dot', against F.scaled_dot_product_attention",
                  {"score": "scaled_dot"}),
    suite.Planned("bahdanau_padded", "bahdanau additive score, Q, K and A distinct",
                  {"score": "bahdanau"}),
    suite.Planned("scattered_mask_general", "luong 'general', masked positions anywhere, not only at the end",
                  {"score": "general", "padding": "scattered"}),
    suite.Planned("one_real_position", "bahdanau, heavy padding: a row with one real position gets weight 1 there",
                  {"score": "bahdanau", "padding": "heavy"}),
    suite.Planned("large_scores_dot", "luong 'dot', real scores up to 1000 and padding scored 1200: exp() overflows "
                  "unless each row's max is subtracted", {"score": "dot", "large": True}),
    suite.Planned("scaled_dot_float32", "luong 'scaled_dot', float32", {"score": "scaled_dot", "dtype": "float32"}),
    suite.Planned("general_float32", "luong 'general', float32", {"score": "general", "dtype": "float32"}),
    suite.Planned("bahdanau_float32", "bahdanau, float32", {"score": "bahdanau", "dtype": "float32"}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Distinct sizes, noise keys (padding included), a mask and the score's weights."""
    options = planned.options
    dtype: str = options.get("dtype", "float64")
    kind: str | None = options["score"]
    ranges = {"B": (2, 5), "S": (4, 9), "K": (2, 7)}
    if kind in ("general", "bahdanau"):
        ranges["Q"] = (2, 7)  # Q != K: a transposed weight raises
    if kind == "bahdanau":
        ranges["A"] = (2, 8)
    dims = suite.draw_dims(rng, ranges)
    B, S, K = dims["B"], dims["S"], dims["K"]
    Q = dims.get("Q", K)
    query, keys = rng.standard_normal((B, Q)), rng.standard_normal((B, S, K))  # (B, Q), (B, S, K)
    mask = draw_mask(rng, B, S, options.get("padding", "right"))  # (B, S) bool
    if options.get("large"):
        query, keys = push_scores(query, keys, mask)  # the largest real score of each row is LARGE
    args: dict[str, Any] = {"query": query, "keys": keys, "mask": mask}
    if kind == "bahdanau":
        args |= {
            "W_q": suite.uniform(rng, (dims["A"], Q), Q**-0.5),  # (A, Q)
            "W_k": suite.uniform(rng, (dims["A"], K), K**-0.5),  # (A, K)
            "v": suite.uniform(rng, (dims["A"],), 1.5),  # (A,)
        }
    elif kind is not None:
        args["score"] = kind
        args["W_a"] = suite.uniform(rng, (Q, K), K**-0.5) if kind == "general" else None  # (Q, K) or None
    target = BAHDANAU if kind == "bahdanau" else LUONG
    call = suite.Call(target, suite.as_dtype(args, dtype))  # the mask stays bool
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype])


def draw_mask(rng: np.random.Generator, B: int, S: int, padding: str) -> np.ndarray:
    """(B, S) bool, True at real positions, at least one per row.

    "right": lengths in no order, one equal to S and one shorter; "none": all True;
    "heavy": every row at most half real, row lengths include 1; "scattered": holes
    anywhere, a row with a single real position that is not the first.
    """
    if padding == "none":
        return np.ones((B, S), dtype=bool)  # (B, S)
    if padding == "scattered":
        mask = rng.random((B, S)) < 0.6  # (B, S)
        mask[0] = False
        mask[0, rng.integers(1, S)] = True  # a single real position, not at s = 0
        mask[1:, rng.integers(0, S)] = True  # every row has one
        return mask
    if padding == "heavy":
        lengths = np.concatenate([[1], rng.integers(1, S // 2 + 1, size=B - 1)])  # (B,)
    else:
        lengths = np.concatenate([[S, int(rng.integers(1, S))], rng.integers(1, S + 1, size=B - 2)])  # (B,)
    rng.shuffle(lengths)
    return np.arange(S)[None, :] < lengths[:, None]  # (B, S)


def push_scores(query: np.ndarray, keys: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """query rescaled per row so that the real score of largest magnitude is exactly +LARGE, and
    the first masked key of each padded row a copy of that key times 1.2 (score 1.2 * LARGE):
    the padding scores highest, so only a mask applied before the softmax gives it nothing."""
    rows = np.arange(len(query))  # (B,)
    scores = np.einsum("bsk,bk->bs", keys, query)  # (B, S)
    top = np.argmax(np.where(mask, np.abs(scores), -1.0), axis=1)  # (B,)
    query = query * (LARGE / scores[rows, top])[:, None]  # (B, Q)
    keys = keys.copy()  # (B, S, K)
    for b in np.nonzero(~mask.all(axis=1))[0]:
        keys[b, np.argmin(mask[b])] = 1.2 * keys[b, top[b]]
    return query, keys


# --- the reference --------------------------------------------------------------------------------


def scores_of(a: dict[str, Any]) -> torch.Tensor:
    """The raw score of every source position, in torch float64; (B, S)."""
    query, keys = tensor(a["query"]), tensor(a["keys"])  # (B, Q), (B, S, K)
    assert query is not None and keys is not None
    B, S, K = keys.shape
    if "W_q" in a:  # Bahdanau: v^T tanh(W_q q + W_k k_s)
        hidden = torch.tanh(F.linear(query, tensor(a["W_q"]))[:, None, :] + F.linear(keys, tensor(a["W_k"])))  # (B, S, A)
        return F.linear(hidden, tensor(a["v"])[None, :])[..., 0]  # (B, S)
    kind = a.get("score", "dot")
    if kind == "general":  # h_t^T W_a h_s, W_a (Q, K): exactly what F.bilinear computes
        queries = query[:, None, :].expand(B, S, query.shape[1]).contiguous()  # (B, S, Q)
        return F.bilinear(queries, keys, tensor(a["W_a"])[None])[..., 0]  # (B, S)
    scores = torch.bmm(keys, query[:, :, None])[..., 0]  # (B, S)
    return scores / K**0.5 if kind == "scaled_dot" else scores  # (B, S)


def reference(case: suite.Case) -> tuple[np.ndarray, np.ndarray]:
    """(context, weights): the masked softmax of the torch scores; SDPA's context for scaled_dot."""
    a = suite.float64(case.call.args)
    keys, mask = tensor(a["keys"]), torch.from_numpy(a["mask"])  # (B, S, K), (B, S) bool
    assert keys is not None
    with torch.no_grad():
        weights = torch.softmax(scores_of(a).masked_fill(~mask, float("-inf")), dim=1)  # (B, S)
        context = torch.bmm(weights[:, None, :], keys)[:, 0]  # (B, K)
        if a.get("score") == "scaled_dot":
            query = tensor(a["query"])[:, None, :]  # (B, 1, K): one query per batch item
            context = F.scaled_dot_product_attention(query, keys, keys, attn_mask=mask[:, None, :])[:, 0]  # (B, K)
    return to_numpy((context, weights))  # (B, K), (B, S)


# --- the test -------------------------------------------------------------------------------------


def test_attention(case: suite.Case, submission: Submission) -> None:
    """Values against torch, then the masked weights exactly 0."""
    returned = answer(case, submission)
    suite.expect_outputs(case, returned, reference(case), diagnose)
    expect_exact_zeros(case, returned)


def answer(case: suite.Case, submission: Submission) -> Any:
    """What came back; a shape error on a 'general' case is named as a transposed W_a."""
    try:
        return submission(case)
    except suite.KataFailure as failure:
        raised_shape_error = failure.stage is suite.Stage.RAISED and "raised ValueError" in failure.message
        if not (raised_shape_error and case.call.args.get("score") == "general"):
            raise
        Q, K = case.dims["Q"], case.dims["K"]
        advice = (
            f"Here Q={Q} and K={K} differ, so a W_a used the wrong way round cannot be multiplied: "
            f"W_a has shape (Q, K) = ({Q}, {K}) and score_s = q^T W_a keys[:, s], i.e. "
            f"projected = query @ W_a (B, K), then one dot product per key."
        )
        found = [mistakes.ATTENTION_GENERAL_TRANSPOSED]
        message = "\n".join([failure.message, advice, *lines_for(dict.fromkeys(m.id for m in found))])
        raise suite.KataFailure(message, failure.stage, [m.id for m in found], case=case) from None


def expect_exact_zeros(case: suite.Case, returned: Any) -> None:
    """Masked positions must hold exactly 0, not merely something within the tolerance."""
    weights = returned[1]  # (B, S)
    mask = case.call.args["mask"]  # (B, S) bool
    leaked = np.asarray(weights)[~mask]  # (number of masked positions,)
    if not np.any(leaked != 0):
        return
    text = (
        f"weights are right to the tolerance, but {int(np.count_nonzero(leaked))} masked position(s) hold "
        f"a nonzero weight (largest {float(np.max(np.abs(leaked))):.3g}): masked positions must get exactly 0. "
        f"Mask with -inf (np.where(mask, scores, -np.inf)) before the softmax, not with a finite penalty."
    )
    found = [mistakes.ATTENTION_MASK_IGNORED]
    suite.fail(case, "\n".join([text, *lines_for(dict.fromkeys(m.id for m in found))]), suite.Stage.VALUE, [m.id for m in found],
               actual=returned)  # fmt: skip


# --- the diagnosis --------------------------------------------------------------------------------


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The slips that reproduce the answer, what the weights show, and an overflowing softmax."""
    inputs = case.call.inputs()
    found = matching(mistakes.SLIPS, inputs, actual, expected, same_with_nan(case))
    named = [slip.mistake for slip in found]
    lines = [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
    if overflowed(case, actual):
        named.insert(0, advanced.SOFTMAX_OVERFLOW)
        lines.insert(0, f"The scores reach {LARGE:g} here: exp({LARGE:g}) is inf in float64, and inf / inf is NaN. "
                        f"Subtract each row's max score before exp().")  # fmt: skip
    lines = weight_lines(case, actual, expected) + lines
    named = list(dict.fromkeys(named))
    return [m.id for m in named], lines + lines_for(dict.fromkeys(m.id for m in named))


def same_with_nan(case: suite.Case) -> Callable[[Any, Any], bool]:
    """Answers agree leaf by leaf within the tolerance, NaN where the other has NaN.

    A softmax over the batch axis divides 0 by 0 in a column where every row is masked: that
    slip's NaN are where the submission's are, and it must still be recognised.
    """
    tol = case.tol

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, tuple) and isinstance(b, tuple):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=tol.rtol, atol=tol.atol, equal_nan=True))

    return same


def overflowed(case: suite.Case, actual: Any) -> bool:
    """Non-finite values in a case whose scores are large enough to overflow exp()."""
    finite = all(np.all(np.isfinite(np.asarray(leaf, dtype=np.float64))) for leaf in actual)
    return not finite and float(np.max(np.abs(mistakes.raw_scores(case.call.inputs())))) > 700.0


def weight_lines(case: suite.Case, actual: Any, expected: Any) -> list[str]:
    """What the returned weights show: weight on padding, rows that do not sum to 1, the context."""
    context, weights = (np.asarray(leaf, dtype=np.float64) for leaf in actual)  # (B, K), (B, S)
    if weights.shape != expected[1].shape or context.shape != expected[0].shape or not np.all(np.isfinite(weights)):
        return []
    mask = case.call.args["mask"]  # (B, S) bool
    tol = case.tol
    lines = []
    on_padding = np.abs(np.where(mask, 0.0, weights)).max(axis=1) > tol.atol  # (B,)
    if np.any(on_padding):
        rows = [int(b) for b in np.nonzero(on_padding)[0]]
        share = [round(float(np.where(mask, 0.0, weights)[b].sum()), 4) for b in rows]
        lines.append(f"weights put weight on masked positions in rows {rows} (total {share}): they must be exactly 0.")
    sums = weights.sum(axis=1)  # (B,)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=1e3 * tol.atol):
        columns = weights.sum(axis=0)  # (S,)
        if np.allclose(columns, 1.0, atol=1e3 * tol.atol):
            lines.append(f"The rows of weights sum to {np.round(sums, 4).tolist()}, but every COLUMN sums to 1: "
                         f"the softmax ran over the batch axis, not over the source positions.")  # fmt: skip
        else:
            lines.append(f"The rows of weights sum to {np.round(sums, 4).tolist()}: each row must sum to 1 over "
                         f"its real positions.")  # fmt: skip
    keys = np.asarray(case.call.args["keys"], dtype=np.float64)  # (B, S, K)
    weights_right = np.allclose(weights, expected[1], rtol=tol.rtol, atol=tol.atol)
    own = np.einsum("bs,bsk->bk", weights, keys)  # (B, K): the context your weights give
    if weights_right and not np.allclose(context, own, rtol=tol.rtol, atol=tol.atol):
        lines.append("weights are right, but context is not sum_s weights[b, s] * keys[b, s] with those weights.")
    return lines
