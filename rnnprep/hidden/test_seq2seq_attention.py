"""Hidden suite of seq2seq_attention: seq2seq_loss(src, src_lengths, tgt, params, bos) ->
(loss, attn (B, T, S)), a GRU encoder-decoder with Luong dot attention trained with teacher
forcing.

The reference is the same network built from torch modules holding the case's parameters,
in float64: nn.Embedding (source and target), nn.GRU(batch_first=True) over all S embedded
source steps from h = 0, the decoder's initial state enc_out[b, src_lengths[b] - 1] (what a
packed GRU returns as h_n), nn.GRUCell fed [bos, tgt[:, :-1]], Luong's dot attention masked
by src_lengths (masked_fill(-inf), softmax over the source), nn.Linear(2H, H) on [c; h] with
tanh, nn.Linear(H, Vt), and F.cross_entropy (the mean over all B*T target tokens).

The source past each length holds random token ids, never a pad id, so nothing that reads
the padding can pass. Every size differs (E, H, 2H, 3H, Vs, Vt, S, T and B), so a transposed
weight or a swapped axis cannot hide.

The plan:

    padded_float64        source lengths in no order (one equal to S, one shorter), float64
    padded_float32        the same with float32 parameters (a float64 attn passes with a note)
    all_full_length       every source length equal to S: the padding mistakes cannot show here
    single_target_step    T = 1: the decoder reads only bos
    length_one_source     a source of length 1: its row attends to position 0 with weight 1
    long_sequences        S from 12 to 16, T from 10 to 13
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rnnprep.diagnosis import lines_for
from rnnprep.diagnosis import seq2seq_attention as mistakes
from rnnprep.diagnosis.slips import leaves_close, matching
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load

KATA = suite.kata("seq2seq_attention")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("padded_float64", "source lengths in no order, one equal to S and one shorter"),
    suite.Planned("padded_float32", "source lengths in no order, float32 parameters", {"dtype": "float32"}),
    suite.Planned("all_full_length", "every source length equal to S: no padding at all", {"lengths": "full"}),
    suite.Planned("single_target_step", "T = 1: the decoder reads only bos", {"T": (1, 1)}),
    suite.Planned("length_one_source", "a source of length 1 attends to its one position with weight 1",
                  {"lengths": "one"}),
    suite.Planned("long_sequences", "S from 12 to 16, T from 10 to 13", {"S": (12, 16), "T": (10, 13)}),
)
# fmt: on
GRU_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw_sizes(rng: np.random.Generator, options: dict[str, Any]) -> dict[str, int]:
    """B, S, T, E, H, Vs, Vt all different, and 2H and 3H apart from all of them."""
    ranges = {"B": (2, 5), "S": options.get("S", (4, 9)), "T": options.get("T", (2, 7)), "E": (2, 7),
              "H": (2, 6), "Vs": (5, 13), "Vt": (5, 13)}  # fmt: skip
    while True:
        dims = suite.draw_dims(rng, ranges, {"H": 3})
        if 2 * dims["H"] not in dims.values():
            return dims


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes, token ids (random ids past each length too), lengths, bos and torch-scale parameters."""
    options = planned.options
    dtype: str = options.get("dtype", "float64")
    dims = draw_sizes(rng, options)
    B, S, T, Vs, Vt = dims["B"], dims["S"], dims["T"], dims["Vs"], dims["Vt"]
    src = rng.integers(0, Vs, size=(B, S))  # (B, S) int64: ids past each length are noise
    tgt = rng.integers(0, Vt, size=(B, T))  # (B, T) int64
    bos = int(rng.integers(0, Vt))
    if tgt[0, 0] == bos:  # feeding tgt_0 instead of bos must change something, even when T = 1
        tgt[0, 0] = (bos + 1) % Vt
    params = {k: v.astype(dtype) for k, v in draw_params(rng, dims).items()}
    args = {"src": src, "src_lengths": draw_lengths(rng, B, S, options.get("lengths", "padded")),
            "tgt": tgt, "params": params, "bos": bos}  # fmt: skip
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype])


def draw_lengths(rng: np.random.Generator, B: int, S: int, kind: str) -> np.ndarray:
    """(B,) int64 in 1..S: "full" all S; "padded" one S and one shorter, in no order; "one" adds a 1."""
    if kind == "full":
        return np.full(B, S, dtype=np.int64)  # (B,)
    short = 1 if kind == "one" else int(rng.integers(2, S))
    lengths = np.concatenate([[S, short], rng.integers(1, S + 1, size=B - 2)])  # (B,)
    rng.shuffle(lengths)
    return lengths.astype(np.int64)  # (B,)


def draw_params(rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """Embeddings N(0, 1) and torch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the rest."""
    E, H, Vs, Vt = dims["E"], dims["H"], dims["Vs"], dims["Vt"]
    params = {"src_embed": rng.standard_normal((Vs, E)), "tgt_embed": rng.standard_normal((Vt, E))}  # (Vs, E), (Vt, E)
    for prefix in ("enc", "dec"):
        params |= {
            f"{prefix}.weight_ih": suite.uniform(rng, (3 * H, E), H**-0.5),  # (3H, E)
            f"{prefix}.weight_hh": suite.uniform(rng, (3 * H, H), H**-0.5),  # (3H, H)
            f"{prefix}.bias_ih": suite.uniform(rng, (3 * H,), 0.5),  # (3H,)
            f"{prefix}.bias_hh": suite.uniform(rng, (3 * H,), 0.5),  # (3H,)
        }
    params |= {
        "W_c": suite.uniform(rng, (H, 2 * H), (2 * H) ** -0.5),  # (H, 2H)
        "b_c": suite.uniform(rng, (H,), 0.5),  # (H,)
        "W_out": suite.uniform(rng, (Vt, H), 2.0),  # (Vt, H): wider than torch's, so the logits differ
        "b_out": suite.uniform(rng, (Vt,), 0.5),  # (Vt,)
    }
    return params


# --- the reference --------------------------------------------------------------------------------


def modules(params: dict[str, np.ndarray]) -> dict[str, torch.nn.Module]:
    """The network's torch modules in float64, holding the case's parameters."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    (Vs, E), Vt, H = p["src_embed"].shape, p["tgt_embed"].shape[0], p["enc.weight_hh"].shape[1]
    return {
        "src_embed": load(torch.nn.Embedding(Vs, E), weight=p["src_embed"]),
        "tgt_embed": load(torch.nn.Embedding(Vt, E), weight=p["tgt_embed"]),
        "encoder": load(torch.nn.GRU(E, H, batch_first=True), **{f"{n}_l0": p[f"enc.{n}"] for n in GRU_NAMES}),
        "decoder": load(torch.nn.GRUCell(E, H), **{n: p[f"dec.{n}"] for n in GRU_NAMES}),
        "attentional": load(torch.nn.Linear(2 * H, H), weight=p["W_c"], bias=p["b_c"]),
        "out": load(torch.nn.Linear(H, Vt), weight=p["W_out"], bias=p["b_out"]),
    }


def forward(inputs: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The network in torch, float64: every intermediate a README or a test may want."""
    m = modules(inputs["params"])
    src, tgt = torch.from_numpy(np.asarray(inputs["src"])), torch.from_numpy(np.asarray(inputs["tgt"]))  # (B, S), (B, T)
    lengths = torch.from_numpy(np.asarray(inputs["src_lengths"]))  # (B,)
    (B, S), T = src.shape, tgt.shape[1]
    with torch.no_grad():
        enc_out, _ = m["encoder"](m["src_embed"](src))  # (B, S, H): every step, padding included
        h = h0 = enc_out[torch.arange(B), lengths - 1]  # (B, H): the last real step of each row
        mask = torch.arange(S)[None, :] < lengths[:, None]  # (B, S) bool
        y_in = torch.cat([torch.full((B, 1), int(inputs["bos"])), tgt[:, :-1]], dim=1)  # (B, T)
        states, contexts, attns, logits = [], [], [], []
        for t in range(T):
            h = m["decoder"](m["tgt_embed"](y_in[:, t]), h)  # (B, H)
            scores = torch.bmm(enc_out, h[:, :, None])[..., 0]  # (B, S)
            a = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)  # (B, S)
            c = torch.bmm(a[:, None, :], enc_out)[:, 0]  # (B, H)
            h_tilde = torch.tanh(m["attentional"](torch.cat([c, h], dim=1)))  # (B, H)
            states.append(h)
            contexts.append(c)
            attns.append(a)
            logits.append(m["out"](h_tilde))  # (B, Vt)
        stacked = torch.stack(logits, dim=1)  # (B, T, Vt)
        loss = F.cross_entropy(stacked.reshape(B * T, -1), tgt.reshape(B * T))  # (): the mean
    return {"enc_out": enc_out, "h0": h0, "h": torch.stack(states, 1), "c": torch.stack(contexts, 1),
            "attn": torch.stack(attns, 1), "logits": stacked, "loss": loss}  # fmt: skip


def reference(case: suite.Case) -> tuple[float, np.ndarray]:
    """(loss, attn (B, T, S)) from the torch network."""
    out = forward(case.call.inputs())
    return float(out["loss"]), out["attn"].numpy()


# --- the test -------------------------------------------------------------------------------------


def test_seq2seq_attention(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, submission(case), reference(case), diagnose)


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """Where the answer goes wrong first (read from attn), then the slips that reproduce it."""
    tol = case.tol
    same = leaves_close(rtol=tol.rtol, atol=tol.atol)
    inputs = case.call.inputs()

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=tol.rtol, atol=tol.atol))

    found = matching(mistakes.SLIPS, inputs, actual, expected, same)
    named = list(dict.fromkeys(slip.mistake for slip in found))
    lines = mistakes.first_wrong_part(inputs, actual, expected, close)
    lines += [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
    return [m.id for m in named], lines + lines_for(dict.fromkeys(m.id for m in named))

