"""The float64 reference behind the diagnosis agrees with torch.nn and with the shipped solutions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_diagnosis import draw, load_solution

from rnnprep.diagnosis.adapters import spec_of
from rnnprep.diagnosis.forward import VARIANTS
from rnnprep.diagnosis.network import Case, Flags, run, run_many

FORWARD = ["rnn_cell", "rnn", "lstm_cell", "lstm", "gru_cell", "gru", "simple_rnn", "classic_lstm"]
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def load(module: torch.nn.Module, a: dict, suffix: str) -> None:
    """Copy W_ih, W_hh, b_ih, b_hh into a torch module's parameters."""
    with torch.no_grad():
        for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
            kind, part = name.split("_")
            getattr(module, f"{'weight' if kind == 'W' else 'bias'}_{part}{suffix}").copy_(
                torch.from_numpy(a[name])
            )


def t(a: np.ndarray | None) -> torch.Tensor | None:
    return None if a is None else torch.from_numpy(a)


@pytest.mark.parametrize("states", [True, False])
@pytest.mark.parametrize("kata", ["rnn", "rnn-relu", "lstm", "gru"])
def test_sequences_match_torch(kata: str, states: bool) -> None:
    family, _, relu = kata.partition("-")
    a = draw(family, 20, states=states, nonlinearity=relu or "tanh")
    I, H = a["W_ih"].shape[1], a["W_hh"].shape[1]
    extra = {"nonlinearity": relu} if relu else {}
    module = MODULES[family](I, H, batch_first=True, **extra).double()
    load(module, a, "_l0")
    hx = None
    if states:
        hx = (t(a["h0"])[None], t(a["c0"])[None]) if family == "lstm" else t(a["h0"])[None]
    with torch.no_grad():
        out, hn = module(t(a["x"]), hx)
    got = spec_of(family).present(run(spec_of(family).to_case(a)), spec_of(family).to_case(a))
    assert np.abs(got["output"] - out.numpy()).max() < 1e-12
    h_n = hn[0] if family == "lstm" else hn
    assert np.abs(got["h_n"] - h_n[0].numpy()).max() < 1e-12
    if family == "lstm":
        assert np.abs(got["c_n"] - hn[1][0].numpy()).max() < 1e-12


@pytest.mark.parametrize("kata", ["rnn_cell", "lstm_cell", "gru_cell"])
def test_cells_match_torch(kata: str) -> None:
    family = kata.removesuffix("_cell")
    a = draw(kata, 21)
    I, H = a["W_ih"].shape[1], a["W_hh"].shape[1]
    cell = CELLS[family](I, H).double()
    load(cell, a, "")
    hx = (t(a["h_prev"]), t(a["c_prev"])) if family == "lstm" else t(a["h_prev"])
    with torch.no_grad():
        want = cell(t(a["x_t"]), hx)
    spec = spec_of(kata)
    got = spec.present(run(spec.to_case(a)), spec.to_case(a))
    want = want if isinstance(want, tuple) else (want,)
    for name, w in zip(spec.names, want, strict=True):
        assert np.abs(got[name] - w.numpy()).max() < 1e-12


def test_simple_rnn_matches_torch_rnn_plus_linear() -> None:
    a = draw("simple_rnn", 22)
    H, I = a["Wxh"].shape
    rnn = torch.nn.RNN(I, H).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(t(a["Wxh"]))
        rnn.weight_hh_l0.copy_(t(a["Whh"]))
        rnn.bias_ih_l0.copy_(t(a["bh"][:, 0]))
        rnn.bias_hh_l0.zero_()
        _, hn = rnn(t(a["X"][:, :, 0]))  # unbatched (T, I)
        y = t(a["Why"]) @ hn[0] + t(a["by"][:, 0])
    spec = spec_of("simple_rnn")
    got = spec.present(run(spec.to_case(a)), spec.to_case(a))
    assert np.abs(got["y"][:, 0] - y.numpy()).max() < 1e-12
    assert np.abs(got["h"][:, 0] - hn[0].numpy()).max() < 1e-12


def test_classic_lstm_matches_torch_lstm_plus_linear() -> None:
    a = draw("classic_lstm", 23)
    H = a["Wf"].shape[0]
    I = a["Wf"].shape[1] - H
    lstm = torch.nn.LSTM(I, H).double()
    order = ("i", "f", "C", "o")  # torch's i, f, g, o
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(t(np.vstack([a[f"W{g}"][:, :H] for g in order])))
        lstm.weight_ih_l0.copy_(t(np.vstack([a[f"W{g}"][:, H:] for g in order])))
        lstm.bias_ih_l0.copy_(t(np.concatenate([a[f"b{g}"][:, 0] for g in order])))
        lstm.bias_hh_l0.zero_()
        _, (hn, cn) = lstm(t(a["X"][:, :, 0]))
        y = t(a["Wy"]) @ hn[0] + t(a["by"][:, 0])
    spec = spec_of("classic_lstm")
    got = spec.present(run(spec.to_case(a)), spec.to_case(a))
    for name, want in (("y", y), ("h", hn[0]), ("c", cn[0])):
        assert np.abs(got[name][:, 0] - want.numpy()).max() < 1e-12


@pytest.mark.parametrize("kata", FORWARD)
def test_reference_agrees_with_the_shipped_solution(kata: str) -> None:
    a = draw(kata, 24)
    spec = spec_of(kata)
    got = spec.present(run(spec.to_case(a)), spec.to_case(a))
    want = spec.flatten(load_solution(kata)(a))
    for name in spec.names:
        assert np.abs(got[name] - want[name]).max() < 1e-12


@pytest.mark.parametrize("family", ["rnn", "lstm", "gru"])
def test_stacked_runs_equal_one_by_one_runs(family: str) -> None:
    a = draw(family, 25)
    case = spec_of(family).to_case(a)
    cases = [v.prep(case) for v in VARIANTS if v.prep and v.applies(family, "sequence")]
    flags = Flags(reverse="appended")
    for one, many in zip((run(c, flags) for c in cases), run_many(cases, flags), strict=True):
        for key in one:
            assert np.abs(one[key] - many[key]).max() < 1e-12


def test_float16_emulation_keeps_float16() -> None:
    case = spec_of("lstm").to_case(draw("lstm", 26))
    trace = run(case.astype(np.float16))
    assert trace["output"].dtype == np.float16
    assert 1e-5 < np.abs(trace["output"] - run(case)["output"]).max() < 1e-2


def test_every_variant_names_a_catalogued_mistake_and_every_mistake_has_a_variant() -> None:
    from rnnprep.diagnosis import CATALOGUE
    from rnnprep.diagnosis.forward import MISTAKES

    named = {v.mistake.id for v in VARIANTS}
    assert named <= set(CATALOGUE)
    assert {m.id for m in MISTAKES} - named == {"precision-loss"}  # from the error size, not a variant
    assert all(CATALOGUE[v.mistake.id] is v.mistake for v in VARIANTS)


def test_case_h_is_the_hidden_size() -> None:
    case = Case(
        "gru",
        np.zeros((2, 3, 4)),
        None,
        None,
        np.zeros((15, 4)),
        np.zeros((15, 5)),
        np.zeros(15),
        np.zeros(15),
    )
    assert case.H == 5
