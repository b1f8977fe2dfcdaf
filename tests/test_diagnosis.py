"""diagnose(): each mistake, written by hand the way a user would, is named; nothing else is.

The buggy implementations below are independent of rnnprep's variant code: plain loops in
the style of the katas, with one `bug` switch each, so a wrong variant cannot hide behind a
matching wrong test.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnnprep.content import solutions_dir
from rnnprep.diagnosis import diagnose, explain_match

TOL = {"float64": 1e-9, "float32": 1e-5}


# --- cases drawn like the grader draws them -----------------------------------------------------


def draw_dims(rng: np.random.Generator) -> dict[str, int]:
    """B, T, I, H (and O) all different, T >= 3 so time mistakes show."""
    B, T, I, H, O = (int(v) for v in rng.permutation(np.arange(2, 9))[:5])
    if T < 3:
        T, H = H, T
    if H < 2:
        H, B = B, H
    return {"B": B, "T": T, "I": I, "H": H, "O": O}


def u(rng: np.random.Generator, shape: Any, scale: float) -> np.ndarray:
    """Uniform in (-scale, scale)."""
    return rng.uniform(-scale, scale, size=shape)


def draw(
    kata: str, seed: int, dtype: str = "float64", states: bool = True, nonlinearity: str = "tanh"
) -> dict:
    """The keyword arguments (or attributes + X) of one case of `kata`."""
    rng = np.random.default_rng(seed)
    d = draw_dims(rng)
    B, T, I, H, O = d["B"], d["T"], d["I"], d["H"], d["O"]
    if kata == "simple_rnn":
        args = {
            "Wxh": u(rng, (H, I), I**-0.5),
            "Whh": u(rng, (H, H), H**-0.5),
            "Why": u(rng, (O, H), H**-0.5),
            "bh": u(rng, (H, 1), 0.5),
            "by": u(rng, (O, 1), 0.5),
            "X": rng.standard_normal((T, I, 1)),
        }
    elif kata == "classic_lstm":
        args = {w: u(rng, (H, H + I), (H + I) ** -0.5) for w in ("Wf", "Wi", "WC", "Wo")}
        args |= {b: u(rng, (H, 1), 0.5) for b in ("bf", "bi", "bC", "bo")}
        args |= {
            "Wy": u(rng, (O, H), H**-0.5),
            "by": u(rng, (O, 1), 0.5),
            "X": rng.standard_normal((T, I, 1)),
        }
    else:
        family = kata.removesuffix("_cell")
        G = {"rnn": 1, "lstm": 4, "gru": 3}[family]
        cell = kata.endswith("_cell")
        args = {"x_t" if cell else "x": rng.standard_normal((B, I) if cell else (B, T, I))}
        for name in ("h", "c") if family == "lstm" else ("h",):
            key = f"{name}_prev" if cell else f"{name}0"
            args[key] = u(rng, (B, H), 0.9) if states else None
        args |= {
            "W_ih": u(rng, (G * H, I), I**-0.5),
            "W_hh": u(rng, (G * H, H), H**-0.5),
            "b_ih": u(rng, (G * H,), 0.5),
            "b_hh": u(rng, (G * H,), 0.5),
        }
        if family == "rnn":
            args["nonlinearity"] = nonlinearity
    return {k: v.astype(dtype) if isinstance(v, np.ndarray) else v for k, v in args.items()}


# --- user-style implementations with one switchable mistake ------------------------------------


def sig(a: np.ndarray) -> np.ndarray:
    """Logistic function, the textbook way."""
    return 1 / (1 + np.exp(-a))


def low_precision(fn: Callable[..., Any], flavour: str) -> Callable[..., Any]:
    """fn computed in float16 ("half") or with its results rounded to 3 decimals ("round")."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if flavour == "half":
            cast = [a.astype(np.float16) if isinstance(a, np.ndarray) else a for a in args]
            out = fn(
                *cast,
                **{
                    k: v.astype(np.float16) if isinstance(v, np.ndarray) else v
                    for k, v in kwargs.items()
                },
            )
        else:
            out = fn(*args, **kwargs)
        dtype = next((a for a in args if isinstance(a, np.ndarray)), np.zeros(0)).dtype

        def fix(o: Any) -> Any:
            if isinstance(o, (tuple, list)):
                return tuple(fix(p) for p in o)
            return o.astype(dtype) if flavour == "half" else np.round(o, 3)

        return fix(out)

    return wrapped


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh", bug=""):
    """Elman RNN over a batch-first sequence."""
    B, T, I = x.shape
    H = W_hh.shape[1]
    act = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
    if bug == "wrong-activation":  # the other nonlinearity than the one asked for
        act = (lambda a: np.maximum(a, 0)) if nonlinearity == "tanh" else np.tanh
    if bug == "wrong-activation:sigmoid":
        act = sig
    if bug == "missing-bias":
        b_hh = np.zeros_like(b_hh)
    if bug == "missing-bias:twice":
        b_hh = b_ih
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None or bug == "initial-state-ignored" else h0
    xs = x.reshape(T, B, I) if bug == "batch-time-swapped:input" else x.transpose(1, 0, 2)
    W_rec = W_hh if bug == "recurrent-weight-transposed" else W_hh.T
    outs = [None] * T
    for t in range(T - 1, -1, -1) if bug == "time-reversed" else range(T):
        h = act(xs[t] @ W_ih.T + b_ih + h @ W_rec + b_hh)
        outs[t] = h
    output = np.stack(outs, axis=1)
    if bug == "batch-time-swapped":
        output = np.stack(outs).reshape(B, T, H)
    if bug == "last-step-only":
        output = np.stack([h] * T, axis=1)
    return output, outs[0] if bug == "final-state-not-last" else h


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh, bug=""):
    """LSTM over a batch-first sequence; gates sliced by name."""
    B, T, I = x.shape
    H = W_hh.shape[1]
    order = {"gate-order": "ifog", "gate-order:figo": "figo"}.get(bug, "ifgo")
    at = {name: slice(k * H, (k + 1) * H) for k, name in enumerate(order)}
    if bug == "missing-bias":
        b_hh = np.zeros_like(b_hh)
    if bug == "missing-bias:ih":
        b_ih = np.zeros_like(b_ih)
    if bug == "missing-bias:g":  # gates written one by one, the candidate's biases forgotten
        b_ih, b_hh = b_ih.copy(), b_hh.copy()
        b_ih[at["g"]] = b_hh[at["g"]] = 0
    zero = np.zeros((B, H), dtype=x.dtype)
    h = zero if h0 is None or bug.startswith("initial-state-ignored") else h0
    c = zero if c0 is None or bug == "initial-state-ignored" else c0
    xs = x.reshape(T, B, I) if bug == "batch-time-swapped" else x.transpose(1, 0, 2)
    outs, cells = [None] * T, [None] * T
    for t in range(T - 1, -1, -1) if bug == "time-reversed" else range(T):
        W_rec = (
            np.vstack([W_hh[at[g]].T for g in "ifgo"])
            if bug == "recurrent-weight-transposed"
            else W_hh
        )
        z = xs[t] @ W_ih.T + b_ih + h @ W_rec.T + b_hh
        i, f, o = sig(z[:, at["i"]]), sig(z[:, at["f"]]), sig(z[:, at["o"]])
        g = sig(z[:, at["g"]]) if bug == "wrong-activation" else np.tanh(z[:, at["g"]])
        if bug == "wrong-activation:gates":
            i, f, o = np.tanh(z[:, at["i"]]), np.tanh(z[:, at["f"]]), np.tanh(z[:, at["o"]])
        c = c + i * g if bug == "forget-gate-unused" else f * c + i * g
        h = o * c if bug == "wrong-activation:cell" else o * np.tanh(c)
        outs[t], cells[t] = h, c
    output = np.stack(outs, axis=1)
    if bug == "last-step-only":
        output = np.stack([h] * T, axis=1)
    if bug == "final-state-not-last":
        h, c = outs[0], cells[0]
    if bug == "state-swap":
        return output, (c, h)
    if bug == "state-swap:c-as-h":
        return np.stack(cells, axis=1), (c, c)
    return output, (h, c)


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh, bug=""):
    """PyTorch's GRU over a batch-first sequence."""
    B, T, I = x.shape
    H = W_hh.shape[1]
    order = "zrn" if bug == "gate-order" else "rzn"
    at = {name: slice(k * H, (k + 1) * H) for k, name in enumerate(order)}
    if bug == "missing-bias":
        b_ih = np.zeros_like(b_ih)
    if bug == "missing-bias:z":  # the update gate without its biases
        b_ih, b_hh = b_ih.copy(), b_hh.copy()
        b_ih[at["z"]] = b_hh[at["z"]] = 0
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None or bug == "initial-state-ignored" else h0
    xs = x.reshape(T, B, I) if bug == "batch-time-swapped" else x.transpose(1, 0, 2)
    outs = [None] * T
    steps = range(T - 1, -1, -1) if bug == "time-reversed" else range(T)
    for t in steps:
        W_rec = (
            W_hh.reshape(3, H, H).transpose(0, 2, 1).reshape(3 * H, H)
            if bug == "recurrent-weight-transposed"
            else W_hh
        )
        gi = xs[t] @ W_ih.T + b_ih
        gh = h @ W_rec.T + b_hh
        r = sig(gi[:, at["r"]] + gh[:, at["r"]])
        z = sig(gi[:, at["z"]] + gh[:, at["z"]])
        if bug == "gru-reset-placement":  # the paper: reset the state, then multiply
            n = np.tanh(gi[:, at["n"]] + (r * h) @ W_hh[at["n"]].T + b_hh[at["n"]])
        elif bug == "gru-reset-placement:bias":
            n = np.tanh(gi[:, at["n"]] + r * (h @ W_hh[at["n"]].T) + b_hh[at["n"]])
        elif bug == "wrong-activation":
            n = sig(gi[:, at["n"]] + r * gh[:, at["n"]])
        else:
            n = np.tanh(gi[:, at["n"]] + r * gh[:, at["n"]])
        h = z * n + (1 - z) * h if bug == "gru-interpolation-flipped" else (1 - z) * n + z * h
        outs[t] = h
    output = np.stack(outs, axis=1)
    if bug == "last-step-only":
        output = np.stack([h] * T, axis=1)
    if bug == "batch-time-swapped:output":
        output = np.stack(outs).reshape(B, T, H)
    return output, outs[-2] if bug == "final-state-not-last" else h


def as_cell(seq: Callable[..., Any], family: str) -> Callable[..., Any]:
    """The cell kata written with the same mistake: one step of the sequence code."""

    def cell(x_t, h_prev, *rest, bug=""):
        if family == "lstm":
            c_prev, *rest = rest
            _, (h, c) = seq(x_t[:, None], h_prev, c_prev, *rest, bug=bug)
            return h, c
        _, h = seq(x_t[:, None], h_prev, *rest, bug=bug)
        return h

    return cell


def simple_rnn(a: dict, bug: str = "") -> tuple[np.ndarray, np.ndarray]:
    """The tutorial SimpleRNN.forward, column vectors."""
    X = a["X"][::-1] if bug == "time-reversed" else a["X"]
    if bug == "final-state-not-last":
        X = X[:-1]  # for t in range(len(X) - 1)
    act = {"wrong-activation": lambda v: np.maximum(v, 0), "wrong-activation:sigmoid": sig}.get(
        bug, np.tanh
    )
    bh = 0 if bug == "missing-bias" else a["bh"]
    Whh = a["Whh"].T if bug == "recurrent-weight-transposed" else a["Whh"]
    h = np.zeros((a["Whh"].shape[0], 1), dtype=X.dtype)
    for x in X:
        h = act(a["Wxh"] @ x + Whh @ h + bh)
    by = 0 if bug == "missing-bias:by" else a["by"]
    y = a["Why"] @ h + by
    return (h, y) if bug == "return-order" else (y, h)


def classic_lstm(a: dict, bug: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tutorial LSTM.forward on vstack((h, x))."""
    X = a["X"][::-1] if bug == "time-reversed" else a["X"]
    if bug == "final-state-not-last":
        X = X[:-1]
    Wf, Wi = (a["Wi"], a["Wf"]) if bug == "gate-order" else (a["Wf"], a["Wi"])
    b = {k: 0 if bug == "missing-bias" else a[k] for k in ("bf", "bi", "bC", "bo")}
    if bug == "missing-bias:bC":  # only the candidate's bias forgotten
        b["bC"] = 0
    H = a["Wf"].shape[0]
    h = np.zeros((H, 1), dtype=X.dtype)
    c = np.zeros((H, 1), dtype=X.dtype)
    for x in X:
        z = np.vstack((x, h)) if bug == "concat-order" else np.vstack((h, x))
        f = sig(Wf @ z + b["bf"])
        i = sig(Wi @ z + b["bi"])
        g = (
            sig(a["WC"] @ z + b["bC"])
            if bug == "wrong-activation"
            else np.tanh(a["WC"] @ z + b["bC"])
        )
        o = sig(a["Wo"] @ z + b["bo"])
        c = c + i * g if bug == "forget-gate-unused" else f * c + i * g
        h = o * np.tanh(c)
    y = a["Wy"] @ h + a["by"]
    returned = {"state-swap": (y, c, h), "return-order": (h, c, y), "return-order:hyc": (h, y, c)}
    return returned.get(bug, (y, h, c))


SEQ = {"rnn": rnn_forward, "lstm": lstm_forward, "gru": gru_forward}


def run_user(kata: str, inputs: dict, bug: str) -> Any:
    """What a user's kata with `bug` returns on this case."""
    if kata == "simple_rnn":
        return simple_rnn(inputs, bug)
    if kata == "classic_lstm":
        return classic_lstm(inputs, bug)
    family = kata.removesuffix("_cell")
    fn = as_cell(SEQ[family], family) if kata.endswith("_cell") else SEQ[family]
    if bug.startswith("precision-loss"):
        return low_precision(fn, bug.partition(":")[2] or "half")(*inputs.values())
    return fn(*inputs.values(), bug=bug)


def run_user_class(kata: str, inputs: dict, bug: str) -> Any:
    """Class katas: precision loss by rounding the returned values."""
    if bug == "precision-loss":
        return low_precision(lambda: run_user(kata, inputs, ""), "round")()
    return run_user(kata, inputs, bug)


# Every catalogue id, in one or more concrete forms, for every kata it applies to.
SEQUENCE_BUGS = [
    "time-reversed",
    "last-step-only",
    "final-state-not-last",
    "precision-loss",
    "precision-loss:round",
    "missing-bias",
    "initial-state-ignored",
    "recurrent-weight-transposed",
]
BUGS: dict[str, list[str]] = {
    "rnn_cell": [
        "missing-bias",
        "missing-bias:twice",
        "wrong-activation",
        "wrong-activation:sigmoid",
        "initial-state-ignored",
        "recurrent-weight-transposed",
        "precision-loss",
        "precision-loss:round",
    ],
    "rnn": [
        *SEQUENCE_BUGS,
        "missing-bias:twice",
        "wrong-activation",
        "wrong-activation:sigmoid",
        "batch-time-swapped",
        "batch-time-swapped:input",
    ],
    "lstm_cell": [
        "gate-order",
        "gate-order:figo",
        "missing-bias",
        "missing-bias:ih",
        "missing-bias:g",
        "wrong-activation",
        "wrong-activation:gates",
        "wrong-activation:cell",
        "forget-gate-unused",
        "initial-state-ignored",
        "initial-state-ignored:h",
        "state-swap",
        "state-swap:c-as-h",
        "recurrent-weight-transposed",
        "precision-loss",
        "precision-loss:round",
    ],
    "lstm": [
        *SEQUENCE_BUGS,
        "gate-order",
        "gate-order:figo",
        "missing-bias:ih",
        "missing-bias:g",
        "wrong-activation",
        "wrong-activation:gates",
        "wrong-activation:cell",
        "forget-gate-unused",
        "initial-state-ignored:h",
        "state-swap",
        "state-swap:c-as-h",
        "batch-time-swapped",
    ],
    "gru_cell": [
        "gate-order",
        "missing-bias",
        "missing-bias:z",
        "wrong-activation",
        "initial-state-ignored",
        "gru-reset-placement",
        "gru-reset-placement:bias",
        "gru-interpolation-flipped",
        "recurrent-weight-transposed",
        "precision-loss",
        "precision-loss:round",
    ],
    "gru": [
        *SEQUENCE_BUGS,
        "missing-bias:z",
        "gate-order",
        "wrong-activation",
        "gru-reset-placement",
        "gru-reset-placement:bias",
        "gru-interpolation-flipped",
        "batch-time-swapped",
        "batch-time-swapped:output",
    ],
    "simple_rnn": [
        "missing-bias",
        "missing-bias:by",
        "wrong-activation",
        "wrong-activation:sigmoid",
        "time-reversed",
        "final-state-not-last",
        "recurrent-weight-transposed",
        "return-order",
        "precision-loss",
    ],
    "classic_lstm": [
        "gate-order",
        "concat-order",
        "missing-bias",
        "missing-bias:bC",
        "wrong-activation",
        "forget-gate-unused",
        "time-reversed",
        "state-swap",
        "return-order",
        "return-order:hyc",
        "final-state-not-last",
        "precision-loss",
    ],
}
CASES = [(kata, bug) for kata, bugs in BUGS.items() for bug in bugs]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("kata", "bug"), CASES, ids=[f"{k}-{b}" for k, b in CASES])
def test_each_mistake_is_named(kata: str, bug: str, dtype: str) -> None:
    for seed in (1, 2) if dtype == "float64" else (3,):
        inputs = draw(kata, seed, dtype)
        actual = run_user_class(kata, inputs, bug)
        assert diagnose(kata, inputs, actual, TOL[dtype]) == [bug.partition(":")[0]], (seed, bug)


@pytest.mark.parametrize("kata", ["rnn", "rnn_cell"])
def test_relu_asked_but_tanh_used(kata: str) -> None:
    inputs = draw(kata, 3, nonlinearity="relu")
    actual = run_user(kata, inputs, "wrong-activation")
    assert diagnose(kata, inputs, actual, 1e-9) == ["wrong-activation"]
    assert "tanh as the RNN nonlinearity" in explain_match(kata, inputs, actual, 1e-9)


def load_solution(kata: str) -> Callable[[dict], Any]:
    """The shipped reference solution as a function of the case's inputs."""
    spec = importlib.util.spec_from_file_location(
        f"solution_{kata}", solutions_dir() / f"{kata}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if kata in ("simple_rnn", "classic_lstm"):
        cls = module.SimpleRNN if kata == "simple_rnn" else module.LSTM

        def call(a: dict) -> Any:
            obj = cls(1, 1, 1)
            for name, value in a.items():
                if name != "X":
                    setattr(obj, name, value)
            return obj.forward(a["X"])

        return call
    entry = getattr(module, kata if kata.endswith("_cell") else f"{kata}_forward")
    return lambda a: entry(**a)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kata", list(BUGS))
def test_reference_solutions_get_no_diagnosis(kata: str, dtype: str) -> None:
    solve = load_solution(kata)
    for seed, states in ((4, True), (5, False)):
        inputs = draw(kata, seed, dtype, states)
        assert diagnose(kata, inputs, solve(inputs), TOL[dtype]) == []


def perturb(actual: Any, fn: Callable[[np.ndarray], np.ndarray]) -> Any:
    """fn applied to every array of a (nested) return value."""
    if isinstance(actual, tuple):
        return tuple(perturb(a, fn) for a in actual)
    return fn(actual)


@pytest.mark.parametrize("kata", list(BUGS))
def test_mistakes_outside_the_catalogue_get_an_empty_list(kata: str) -> None:
    solve = load_solution(kata)
    inputs = draw(kata, 6)
    good = solve(inputs)
    rng = np.random.default_rng(0)
    assert diagnose(kata, inputs, perturb(good, lambda a: a * 1.01), 1e-9) == []
    assert (
        diagnose(kata, inputs, perturb(good, lambda a: a + rng.normal(0, 1e-2, a.shape)), 1e-9)
        == []
    )
    assert diagnose(kata, inputs, perturb(good, lambda a: rng.standard_normal(a.shape)), 1e-9) == []


def test_two_mistakes_at_once_get_an_empty_list_not_one_of_them() -> None:
    inputs = draw("lstm", 7)
    reversed_inputs = {**inputs, "x": inputs["x"][:, ::-1]}
    actual = lstm_forward(
        *reversed_inputs.values(), bug="forget-gate-unused"
    )  # reversed + no forget gate
    assert diagnose("lstm", inputs, actual, 1e-9) == []


def test_initial_state_mistakes_need_a_given_state() -> None:
    inputs = draw("gru", 8, states=False)  # h0 None: ignoring it changes nothing
    actual = gru_forward(*inputs.values(), bug="initial-state-ignored")
    assert diagnose("gru", inputs, actual, 1e-9) == []
    flipped = gru_forward(*inputs.values(), bug="gru-interpolation-flipped")
    assert diagnose("gru", inputs, flipped, 1e-9) == ["gru-interpolation-flipped"]


def test_one_step_sequences_cannot_show_time_mistakes() -> None:
    inputs = draw("rnn", 9)
    inputs["x"] = inputs["x"][:, :1]  # T = 1: reversed, last-only and correct coincide
    actual = rnn_forward(*inputs.values(), bug="time-reversed")
    assert diagnose("rnn", inputs, actual, 1e-9) == []


def test_the_concrete_slip_is_reported_too() -> None:
    inputs = draw("lstm", 10)
    actual = lstm_forward(*inputs.values(), bug="gate-order")
    assert explain_match("lstm", inputs, actual, 1e-9) == [
        "gate blocks read in the order i, f, o, g (torch stacks i, f, g, o)"
    ]


@pytest.mark.parametrize(
    ("kata", "actual"),
    [
        ("nope", None),
        ("lstm", None),
        ("lstm", (np.zeros(3),)),
        ("rnn", (np.zeros((1, 1, 1)), np.zeros((1, 1)))),
    ],
)
def test_unusable_input_gives_an_empty_list_not_an_error(kata: str, actual: Any) -> None:
    assert diagnose(kata, draw("lstm", 11), actual, 1e-9) == []


def test_non_finite_outputs_match_nothing() -> None:
    inputs = draw("rnn", 12)
    output, h_n = rnn_forward(*inputs.values())
    assert diagnose("rnn", inputs, (output * np.nan, h_n), 1e-9) == []


# --- the grader's own wrong fixtures ---------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
FIXTURE_MISTAKES = [
    ("classic_lstm", "gate_order", "concat-order"),  # np.vstack((x, h))
    ("classic_lstm", "missing_bias", "missing-bias"),  # bC left out
    ("simple_rnn", "outputs_swapped", "return-order"),  # (h, y)
]


def run_fixture(kata: str, fixture: str, a: dict) -> Any:
    """A class fixture, set up as the grader does: construct, set the attributes, forward(X)."""
    spec = importlib.util.spec_from_file_location(
        f"fixture_{kata}_{fixture}", FIXTURES / kata / f"{fixture}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    obj = (module.SimpleRNN if kata == "simple_rnn" else module.LSTM)(1, 1, 1)
    for name, value in a.items():
        if name != "X":
            setattr(obj, name, value)
    return obj.forward(a["X"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("kata", "fixture", "mistake"), FIXTURE_MISTAKES)
def test_grader_fixtures_of_the_classes_are_named(
    kata: str, fixture: str, mistake: str, dtype: str
) -> None:
    for seed in (13, 14):
        inputs = draw(kata, seed, dtype)
        assert diagnose(kata, inputs, run_fixture(kata, fixture, inputs), TOL[dtype]) == [mistake]


def test_concat_order_is_not_a_gate_order_and_the_slip_is_named() -> None:
    inputs = draw("classic_lstm", 15)
    actual = classic_lstm(inputs, "concat-order")
    assert explain_match("classic_lstm", inputs, actual, 1e-9) == [
        "np.vstack((x, h)) where the weights expect np.vstack((h, x))"
    ]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_layout_slips_combined_with_another_mistake_get_an_empty_list(dtype: str) -> None:
    inputs = draw("classic_lstm", 16, dtype)
    y, h, c = classic_lstm({**inputs, "X": inputs["X"][::-1]}, "concat-order")  # two mistakes
    assert diagnose("classic_lstm", inputs, (y, h, c), TOL[dtype]) == []
    y, h, c = classic_lstm(inputs, "wrong-activation")
    assert diagnose("classic_lstm", inputs, (h, c, y), TOL[dtype]) == []  # order and activation
    a = draw("simple_rnn", 16, dtype)
    y, h = simple_rnn(a, "")
    assert diagnose("simple_rnn", a, (h * 1.01, y), TOL[dtype]) == []  # reordered, then off
