"""The kata content proves itself: every reference solution matches torch.nn, every starter
raises NotImplementedError, and the registry, starters, READMEs and solutions mirror each other.

Independent of the grader (rnnprep.grading): the references are checked directly against torch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from kata_grading import load_module

from rnnprep import registry
from rnnprep.content import katas_dir, solutions_dir

torch = pytest.importorskip("torch")

CORE = ["rnn_cell", "rnn", "lstm_cell", "lstm", "gru_cell", "gru", "simple_rnn", "classic_lstm"]
INTERVIEW = ["masked_loss", "grad_check", "sampling", "beam_search", "attention", "seq2seq_attention"]
ADVANCED = ["dropout", "clip_grad_norm", "stacked_lstm", "packed_rnn", "seq_classifier",
            "rnn_backward", "truncated_bptt", "lstm_backward"]
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}
B, T, I, H, O = 3, 5, 4, 6, 2  # all distinct, so a transposed weight or swapped axis cannot hide




def solution(name: str) -> ModuleType:
    """The reference solution module of a kata."""
    return load_module(solutions_dir() / f"{name}.py")


def torch_module(kind: str, nonlinearity: str = "tanh") -> Any:
    """A float64 torch module with random weights and nonzero, different biases."""
    nn = torch.nn
    cells = {"rnn_cell": nn.RNNCell, "lstm_cell": nn.LSTMCell, "gru_cell": nn.GRUCell}
    layers = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
    extra = {"nonlinearity": nonlinearity} if kind in ("rnn", "rnn_cell") else {}
    if kind in cells:
        return cells[kind](I, H, **extra).double()
    return layers[kind](I, H, batch_first=True, **extra).double()


def weights(module: Any, dtype: type) -> dict[str, np.ndarray]:
    """The module's four parameters under the katas' argument names."""
    suffix = "_l0" if hasattr(module, "weight_ih_l0") else ""
    return {
        key: getattr(module, f"{attr}{suffix}").detach().numpy().astype(dtype)
        for key, attr in [("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_ih", "bias_ih"), ("b_hh", "bias_hh")]
    }


def t64(array: np.ndarray) -> Any:
    """A float64 torch tensor from a (possibly float32) array, so torch is the exact reference."""
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


def assert_close(actual: np.ndarray, expected: Any, dtype: type) -> None:
    """Same shape, the input's dtype, values within the dtype's tolerance of torch's float64."""
    expected = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert isinstance(actual, np.ndarray)
    assert actual.shape == expected.shape
    assert actual.dtype == dtype
    assert np.max(np.abs(actual - expected)) < TOLERANCE[dtype]


CASES = [
    (dtype, given, nonlinearity)
    for dtype in (np.float64, np.float32)
    for given in (False, True)
    for nonlinearity in ("tanh", "relu")
]


@pytest.fixture
def rng() -> np.random.Generator:
    torch.manual_seed(4)
    return np.random.default_rng(4)


@pytest.mark.parametrize(("dtype", "given", "nonlinearity"), CASES)
def test_rnn_cell_matches_torch(rng, dtype, given, nonlinearity):
    cell = torch_module("rnn_cell", nonlinearity)
    x = rng.standard_normal((B, I)).astype(dtype)  # (B, I)
    h = rng.standard_normal((B, H)).astype(dtype) if given else None  # (B, H)
    actual = solution("rnn_cell").rnn_cell(x, h, **weights(cell, dtype), nonlinearity=nonlinearity)
    assert_close(actual, cell(t64(x), None if h is None else t64(h)), dtype)


@pytest.mark.parametrize(("dtype", "given", "nonlinearity"), CASES)
def test_rnn_matches_torch(rng, dtype, given, nonlinearity):
    layer = torch_module("rnn", nonlinearity)
    x = rng.standard_normal((B, T, I)).astype(dtype)  # (B, T, I)
    h0 = rng.standard_normal((B, H)).astype(dtype) if given else None  # (B, H)
    output, h_n = solution("rnn").rnn_forward(x, h0, **weights(layer, dtype), nonlinearity=nonlinearity)
    expected, expected_h = layer(t64(x), None if h0 is None else t64(h0)[None])
    assert_close(output, expected, dtype)
    assert_close(h_n, expected_h[0], dtype)


@pytest.mark.parametrize(("dtype", "given"), [(d, g) for d, g, n in CASES if n == "tanh"])
def test_lstm_cell_matches_torch(rng, dtype, given):
    cell = torch_module("lstm_cell")
    x = rng.standard_normal((B, I)).astype(dtype)  # (B, I)
    h, c = (rng.standard_normal((2, B, H)).astype(dtype) if given else (None, None))  # (B, H) each
    h_t, c_t = solution("lstm_cell").lstm_cell(x, h, c, **weights(cell, dtype))
    expected_h, expected_c = cell(t64(x), None if h is None else (t64(h), t64(c)))
    assert_close(h_t, expected_h, dtype)
    assert_close(c_t, expected_c, dtype)


@pytest.mark.parametrize(("dtype", "given"), [(d, g) for d, g, n in CASES if n == "tanh"])
def test_lstm_matches_torch(rng, dtype, given):
    layer = torch_module("lstm")
    x = rng.standard_normal((B, T, I)).astype(dtype)  # (B, T, I)
    h0, c0 = (rng.standard_normal((2, B, H)).astype(dtype) if given else (None, None))  # (B, H) each
    output, (h_n, c_n) = solution("lstm").lstm_forward(x, h0, c0, **weights(layer, dtype))
    state = None if h0 is None else (t64(h0)[None], t64(c0)[None])
    expected, (expected_h, expected_c) = layer(t64(x), state)
    assert_close(output, expected, dtype)
    assert_close(h_n, expected_h[0], dtype)
    assert_close(c_n, expected_c[0], dtype)


def test_lstm_defaults_each_state_on_its_own(rng):
    layer = torch_module("lstm")
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    c0 = rng.standard_normal((B, H))  # (B, H)
    _, (h_n, c_n) = solution("lstm").lstm_forward(x, None, c0, **weights(layer, np.float64))
    _, (expected_h, expected_c) = layer(t64(x), (torch.zeros(1, B, H, dtype=torch.float64), t64(c0)[None]))
    assert_close(h_n, expected_h[0], np.float64)
    assert_close(c_n, expected_c[0], np.float64)


@pytest.mark.parametrize(("dtype", "given"), [(d, g) for d, g, n in CASES if n == "tanh"])
def test_gru_cell_matches_torch(rng, dtype, given):
    cell = torch_module("gru_cell")
    x = rng.standard_normal((B, I)).astype(dtype)  # (B, I)
    h = rng.standard_normal((B, H)).astype(dtype) if given else None  # (B, H)
    actual = solution("gru_cell").gru_cell(x, h, **weights(cell, dtype))
    assert_close(actual, cell(t64(x), None if h is None else t64(h)), dtype)


@pytest.mark.parametrize(("dtype", "given"), [(d, g) for d, g, n in CASES if n == "tanh"])
def test_gru_matches_torch(rng, dtype, given):
    layer = torch_module("gru")
    x = rng.standard_normal((B, T, I)).astype(dtype)  # (B, T, I)
    h0 = rng.standard_normal((B, H)).astype(dtype) if given else None  # (B, H)
    output, h_n = solution("gru").gru_forward(x, h0, **weights(layer, dtype))
    expected, expected_h = layer(t64(x), None if h0 is None else t64(h0)[None])
    assert_close(output, expected, dtype)
    assert_close(h_n, expected_h[0], dtype)


@pytest.mark.parametrize("steps", [1, 7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_simple_rnn_matches_torch(rng, dtype, steps):
    model = solution("simple_rnn").SimpleRNN(I, H, O)
    model.Wxh = rng.standard_normal((H, I)).astype(dtype)  # (H, I)
    model.Whh = (rng.standard_normal((H, H)) * 0.5).astype(dtype)  # (H, H)
    model.Why = rng.standard_normal((O, H)).astype(dtype)  # (O, H)
    model.bh = rng.standard_normal((H, 1)).astype(dtype)  # (H, 1)
    model.by = rng.standard_normal((O, 1)).astype(dtype)  # (O, 1)
    X = rng.standard_normal((steps, I, 1)).astype(dtype)  # (T, I, 1)
    y, h = model.forward(X)
    layer, linear = torch.nn.RNN(I, H).double(), torch.nn.Linear(H, O).double()
    with torch.no_grad():
        layer.weight_ih_l0.copy_(t64(model.Wxh))
        layer.weight_hh_l0.copy_(t64(model.Whh))
        layer.bias_ih_l0.copy_(t64(model.bh[:, 0]))
        layer.bias_hh_l0.zero_()
        linear.weight.copy_(t64(model.Why))
        linear.bias.copy_(t64(model.by[:, 0]))
        _, h_n = layer(t64(X[:, :, 0]))  # (1, H)
        assert_close(h, h_n[0][:, None], dtype)
        assert_close(y, linear(h_n[0])[:, None], dtype)


@pytest.mark.parametrize("steps", [1, 7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_classic_lstm_matches_torch(rng, dtype, steps):
    model = solution("classic_lstm").LSTM(I, H, O)
    for name in ("Wf", "Wi", "WC", "Wo"):
        setattr(model, name, rng.standard_normal((H, H + I)).astype(dtype))  # (H, H+I)
    for name in ("bf", "bi", "bC", "bo"):
        setattr(model, name, rng.standard_normal((H, 1)).astype(dtype))  # (H, 1)
    model.Wy = rng.standard_normal((O, H)).astype(dtype)  # (O, H)
    model.by = rng.standard_normal((O, 1)).astype(dtype)  # (O, 1)
    X = rng.standard_normal((steps, I, 1)).astype(dtype)  # (T, I, 1)
    y, h, c = model.forward(X)
    layer, linear = torch.nn.LSTM(I, H).double(), torch.nn.Linear(H, O).double()
    stacked = np.vstack([model.Wi, model.Wf, model.WC, model.Wo])  # (4H, H+I) torch's i, f, g, o
    with torch.no_grad():
        layer.weight_hh_l0.copy_(t64(stacked[:, :H]))
        layer.weight_ih_l0.copy_(t64(stacked[:, H:]))
        layer.bias_ih_l0.copy_(t64(np.vstack([model.bi, model.bf, model.bC, model.bo])[:, 0]))
        layer.bias_hh_l0.zero_()
        linear.weight.copy_(t64(model.Wy))
        linear.bias.copy_(t64(model.by[:, 0]))
        _, (h_n, c_n) = layer(t64(X[:, :, 0]))  # (1, H) each
        assert_close(h, h_n[0][:, None], dtype)
        assert_close(c, c_n[0][:, None], dtype)
        assert_close(y, linear(h_n[0])[:, None], dtype)


def test_relu_rnn_differs_from_tanh(rng):
    """Guard against a reference that ignores `nonlinearity` and still matches by accident."""
    layer = torch_module("rnn")
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    tanh_out, _ = solution("rnn").rnn_forward(x, None, **weights(layer, np.float64))
    relu_out, _ = solution("rnn").rnn_forward(x, None, **weights(layer, np.float64), nonlinearity="relu")
    assert np.max(np.abs(tanh_out - relu_out)) > 1e-3


# --- starters ----------------------------------------------------------------------------

STARTER_CALLS: dict[str, Callable[[ModuleType], object]] = {
    "rnn_cell": lambda m: m.rnn_cell(np.ones((B, I)), None, np.ones((H, I)), np.ones((H, H)), np.ones(H), np.ones(H)),
    "rnn": lambda m: m.rnn_forward(np.ones((B, T, I)), None, np.ones((H, I)), np.ones((H, H)), np.ones(H), np.ones(H)),
    "lstm_cell": lambda m: m.lstm_cell(np.ones((B, I)), None, None, np.ones((4 * H, I)), np.ones((4 * H, H)), np.ones(4 * H), np.ones(4 * H)),
    "lstm": lambda m: m.lstm_forward(np.ones((B, T, I)), None, None, np.ones((4 * H, I)), np.ones((4 * H, H)), np.ones(4 * H), np.ones(4 * H)),
    "gru_cell": lambda m: m.gru_cell(np.ones((B, I)), None, np.ones((3 * H, I)), np.ones((3 * H, H)), np.ones(3 * H), np.ones(3 * H)),
    "gru": lambda m: m.gru_forward(np.ones((B, T, I)), None, np.ones((3 * H, I)), np.ones((3 * H, H)), np.ones(3 * H), np.ones(3 * H)),
    "simple_rnn": lambda m: m.SimpleRNN(I, H, O).forward(np.ones((T, I, 1))),
    "classic_lstm": lambda m: m.LSTM(I, H, O).forward(np.ones((T, I, 1))),
    "dropout": lambda m: m.dropout(np.ones((B, H)), 0.5, True, np.random.default_rng(0)),
    "clip_grad_norm": lambda m: m.clip_grad_norm({"w": np.ones((H, I))}, 1.0),
    "stacked_lstm": lambda m: m.lstm_forward_multi(
        np.ones((B, T, I)), None, None, weights(torch_module("lstm"), np.float64), 1, False),
    "packed_rnn": lambda m: m.gru_forward_lengths(
        np.ones((B, T, I)), np.array([T, 1, 2]), None, *weights(torch_module("gru"), np.float64).values()),
    "seq_classifier": lambda m: m.seq_classifier(
        np.ones((B, T, I)), np.zeros(B, int), *weights(torch_module("lstm"), np.float64).values(),
        np.ones((O, H)), np.ones(O)),
    "rnn_backward": lambda m: m.rnn_backward(
        np.ones((B, T, I)), None, *weights(torch_module("rnn"), np.float64).values(),
        np.ones((B, T, H)), np.ones((B, H))),
    "truncated_bptt": lambda m: m.truncated_bptt(
        np.ones((B, T, I)), None, *weights(torch_module("rnn"), np.float64).values(), np.ones((B, T, H)), 2),
    "lstm_backward": lambda m: m.lstm_backward(
        np.ones((B, T, I)), None, None, *weights(torch_module("lstm"), np.float64).values(),
        np.ones((B, T, H)), np.ones((B, H)), np.ones((B, H))),
    "masked_loss": lambda m: m.masked_loss(np.zeros((B, T, O)), np.zeros((B, T), int), np.full(B, T)),
    "grad_check": lambda m: m.grad_check(lambda params: 0.0, {"b_y": np.zeros(O)}, {"b_y": np.zeros(O)}),
    "sampling": lambda m: m.sample(np.zeros((B, O)), np.random.default_rng(0)),
    "beam_search": lambda m: m.beam_search(lambda prefixes: np.zeros((len(prefixes), O)), 0, 1, 2, 3),
    "attention": lambda m: m.luong_attention(np.ones((B, I)), np.ones((B, T, I)), np.ones((B, T), bool)),
    "seq2seq_attention": lambda m: m.seq2seq_loss(np.zeros((B, T), int), np.full(B, T), np.zeros((B, T), int), {}, 0),
}


@pytest.mark.parametrize("name", CORE + ADVANCED + INTERVIEW)
def test_starter_raises_not_implemented(name):
    module = load_module(katas_dir() / name / f"{name}.py")
    with pytest.raises(NotImplementedError):
        STARTER_CALLS[name](module)


@pytest.mark.parametrize("name", registry.default().names())
def test_starter_has_todo_markers_and_no_torch(name):
    source = (katas_dir() / name / f"{name}.py").read_text(encoding="utf-8")
    assert "TODO" in source
    assert "raise NotImplementedError" in source
    assert not re.search(r"^\s*(import|from)\s+torch", source, re.MULTILINE)


# --- mirrored trees ------------------------------------------------------------------------


def test_katas_are_registered_as_a_learning_path():
    """Forward passes first, then training practice and gradients, then decoding and attention:
    each new kata after what it builds on (masked_loss after the classifier, grad_check after
    the first backward pass, seq2seq_attention last)."""
    names = registry.default().names()
    assert names == [*CORE, "dropout", "clip_grad_norm", "stacked_lstm", "packed_rnn", "seq_classifier",
                     "masked_loss", "rnn_backward", "grad_check", "truncated_bptt", "lstm_backward",
                     "sampling", "beam_search", "attention", "seq2seq_attention"]  # fmt: skip
    assert sorted(names) == sorted(CORE + ADVANCED + INTERVIEW)


def test_registry_and_trees_mirror_each_other():
    names = set(registry.default().names())
    folders = {p.name for p in katas_dir().iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    solutions = {p.stem for p in solutions_dir().glob("*.py") if not p.name.startswith("_")}
    assert folders == names
    assert solutions == names


@pytest.mark.parametrize("kata", registry.default().katas, ids=lambda k: k.name)
def test_every_entry_has_its_files_and_defines_its_entry_points(kata):
    assert kata.starter.is_file() and kata.readme.is_file() and kata.solution.is_file()
    assert len(kata.hints) >= 3
    starter, reference = load_module(kata.starter), load_module(kata.solution)
    for entry in kata.entry:
        assert callable(getattr(starter, entry, None)), f"starter lacks {entry}"
        assert callable(getattr(reference, entry, None)), f"solution lacks {entry}"


@pytest.mark.parametrize("kata", registry.default().katas, ids=lambda k: k.name)
def test_readme_teaches_the_contract(kata):
    text = kata.readme.read_text(encoding="utf-8")
    assert text.startswith(f"# {kata.name}")
    for section in ("## Shapes", "## Worked example", "## Pitfalls"):
        assert section in text, f"{kata.readme} lacks {section}"
    assert f"rnnprep kata {kata.name} --check" in text


@pytest.mark.parametrize("kata", registry.default().katas, ids=lambda k: k.name)
def test_solutions_carry_shape_comments(kata):
    """Every line that builds an array in a reference solution says its shape."""
    for number, line in enumerate(kata.solution.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#")[0]
        builds_array = re.search(r"@|np\.(zeros|empty|tanh|vstack|maximum|exp|where|sum)\(", code)
        if builds_array and "=" in code and "def " not in code and "return" not in code:
            assert "# (" in line or "# same shape" in line, f"{kata.solution.name}:{number} lacks a shape comment"


# --- issue 7: the advanced katas, against torch autograd / nn in float64 -------------------


def leaf(array: np.ndarray) -> Any:
    """A float64 tensor that collects its gradient."""
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def relative_error(actual: np.ndarray, expected: Any) -> float:
    """max |actual - expected| / max |expected| (gradients are graded relatively)."""
    expected = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert np.shape(actual) == expected.shape
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-12))


def random_weights(rng: np.random.Generator, gates: int) -> dict[str, np.ndarray]:
    """Random recurrent weights in torch's layout, with nonzero, different biases."""
    return {
        "W_ih": rng.standard_normal((gates * H, I)) * 0.5,  # (G*H, I)
        "W_hh": rng.standard_normal((gates * H, H)) * 0.5,  # (G*H, H)
        "b_ih": rng.standard_normal(gates * H),  # (G*H,)
        "b_hh": rng.standard_normal(gates * H),  # (G*H,)
    }


def functional(kind: str, tensors: dict[str, Any], *args: Any) -> Any:
    """Run nn.RNN/nn.LSTM with the given (grad-collecting) tensors as its parameters."""
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}[kind](I, H, batch_first=True).double()
    names = {"W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}
    return torch.func.functional_call(module, {names[k]: v for k, v in tensors.items()}, args)


@pytest.mark.parametrize("given", [False, True])
def test_rnn_backward_matches_autograd(rng, given):
    W = random_weights(rng, 1)
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    h0 = rng.standard_normal((B, H)) if given else np.zeros((B, H))  # (B, H)
    d_output, d_h_n = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))  # (B, T, H), (B, H)
    tensors, tx, th0 = {k: leaf(v) for k, v in W.items()}, leaf(x), leaf(h0)
    output, h_n = functional("rnn", tensors, tx, th0[None])
    ((output * t64(d_output)).sum() + (h_n[0] * t64(d_h_n)).sum()).backward()
    grads = solution("rnn_backward").rnn_backward(x, h0 if given else None, **W, d_output=d_output, d_h_n=d_h_n)
    assert set(grads) == {"x", "h0", *W}
    assert relative_error(grads["x"], tx.grad) < 1e-10
    assert relative_error(grads["h0"], th0.grad) < 1e-10
    for name, tensor in tensors.items():
        assert relative_error(grads[name], tensor.grad) < 1e-10, name


@pytest.mark.parametrize("given", [False, True])
def test_lstm_backward_matches_autograd(rng, given):
    W = random_weights(rng, 4)
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    h0, c0 = rng.standard_normal((2, B, H)) if given else np.zeros((2, B, H))  # (B, H) each
    d_output = rng.standard_normal((B, T, H))  # (B, T, H)
    d_h_n, d_c_n = rng.standard_normal((2, B, H))  # (B, H) each
    tensors, tx, th0, tc0 = {k: leaf(v) for k, v in W.items()}, leaf(x), leaf(h0), leaf(c0)
    output, (h_n, c_n) = functional("lstm", tensors, tx, (th0[None], tc0[None]))
    loss = (output * t64(d_output)).sum() + (h_n[0] * t64(d_h_n)).sum() + (c_n[0] * t64(d_c_n)).sum()
    loss.backward()
    grads = solution("lstm_backward").lstm_backward(
        x, h0 if given else None, c0 if given else None, **W, d_output=d_output, d_h_n=d_h_n, d_c_n=d_c_n)
    assert set(grads) == {"x", "h0", "c0", *W}
    for name, expected in [("x", tx), ("h0", th0), ("c0", tc0), *tensors.items()]:
        assert relative_error(grads[name], expected.grad) < 1e-10, name


@pytest.mark.parametrize("k", [1, 2, 3, T, T + 4])
def test_truncated_bptt_matches_detach_every_k_steps(rng, k):
    W = random_weights(rng, 1)
    x, h0 = rng.standard_normal((B, T, I)), rng.standard_normal((B, H))  # (B, T, I), (B, H)
    d_output = rng.standard_normal((B, T, H))  # (B, T, H)
    tensors = {name: leaf(v) for name, v in W.items()}
    h, outputs = t64(h0), []  # (B, H)
    for t in range(T):
        if t > 0 and t % k == 0:
            h = h.detach()
        h = torch.tanh(t64(x[:, t]) @ tensors["W_ih"].T + tensors["b_ih"] + h @ tensors["W_hh"].T + tensors["b_hh"])
        outputs.append(h)
    (torch.stack(outputs, 1) * t64(d_output)).sum().backward()
    actual = solution("truncated_bptt").truncated_bptt(x, h0, **W, d_output=d_output, k=k)
    assert relative_error(actual, tensors["W_hh"].grad) < 1e-10
    if k >= T:  # no cut inside the sequence: plain BPTT
        full = solution("rnn_backward").rnn_backward(x, h0, **W, d_output=d_output, d_h_n=np.zeros((B, H)))
        assert np.allclose(actual, full["W_hh"], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_is_inverted_and_uses_the_generator(dtype):
    drop = solution("dropout").dropout
    x = np.random.default_rng(1).standard_normal((400, 500)).astype(dtype)  # (400, 500)
    y, mask = drop(x, 0.3, True, np.random.default_rng(7))
    assert y.dtype == dtype and mask.dtype == bool and mask.shape == x.shape
    assert np.allclose(y, x * mask / 0.7, rtol=TOLERANCE[dtype], atol=0)  # exactly the returned mask
    assert abs(mask.mean() - 0.7) < 0.005
    _, mask_again = drop(x, 0.3, True, np.random.default_rng(7))
    assert np.array_equal(mask, mask_again)  # the same seed, the same mask
    ones = np.ones((1000, 1000))  # (1000, 1000)
    assert abs(drop(ones, 0.4, True, np.random.default_rng(3))[0].mean() - 1.0) < 0.01  # E[y] = x
    # torch scales the survivors the same way
    torch_y = torch.nn.functional.dropout(t64(x), 0.3, training=True).numpy()  # (400, 500)
    kept = torch_y != 0
    assert np.allclose(torch_y[kept], x[kept].astype(np.float64) / 0.7, rtol=1e-6)


def test_dropout_edge_cases():
    drop, x = solution("dropout").dropout, np.arange(6.0).reshape(2, 3)  # (2, 3)
    y, mask = drop(x, 0.9, False, np.random.default_rng(0))
    assert np.array_equal(y, x) and mask.all()
    y, mask = drop(x, 0.0, True, np.random.default_rng(0))
    assert np.array_equal(y, x) and mask.all()
    y, mask = drop(x, 1.0, True, np.random.default_rng(0))
    assert not y.any() and not mask.any()
    with pytest.raises(ValueError):
        drop(x, 1.5, True, np.random.default_rng(0))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.05, 1e4])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    grads = {"W": rng.standard_normal((H, I)), "b": rng.standard_normal(H), "s": rng.standard_normal((2, 3, 4))}
    before = {name: g.copy() for name, g in grads.items()}
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads.values()]
    for param, g in zip(params, grads.values(), strict=True):
        param.grad = t64(g.copy())
    expected_total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    clipped, total = solution("clip_grad_norm").clip_grad_norm(grads, max_norm, norm_type)
    assert isinstance(total, float) and abs(total - float(expected_total)) < 1e-10
    for (name, g), param in zip(clipped.items(), params, strict=True):
        assert relative_error(g, param.grad) < 1e-12
        assert np.array_equal(grads[name], before[name])  # inputs untouched


@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("given", [False, True])
def test_stacked_lstm_matches_torch(rng, num_layers, bidirectional, given):
    D = 2 if bidirectional else 1
    layer = torch.nn.LSTM(I, H, num_layers=num_layers, bidirectional=bidirectional, batch_first=True).double()
    params = {name: p.detach().numpy() for name, p in layer.named_parameters()}
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    h0, c0 = rng.standard_normal((2, num_layers * D, B, H))  # (L*D, B, H) each
    state = (t64(h0), t64(c0)) if given else None
    expected, (expected_h, expected_c) = layer(t64(x), state)
    output, (h_n, c_n) = solution("stacked_lstm").lstm_forward_multi(
        x, h0 if given else None, c0 if given else None, params, num_layers, bidirectional)
    assert_close(output, expected, np.float64)
    assert_close(h_n, expected_h, np.float64)
    assert_close(c_n, expected_c, np.float64)


@pytest.mark.parametrize("given", [False, True])
def test_packed_rnn_matches_pack_padded_sequence(rng, given):
    layer = torch_module("gru")
    x = rng.standard_normal((B, T, I))  # (B, T, I)
    lengths = np.array([2, T, 1])  # (B,): unsorted, one full, one single step
    h0 = rng.standard_normal((B, H))  # (B, H)
    pack = torch.nn.utils.rnn
    packed = pack.pack_padded_sequence(t64(x), torch.from_numpy(lengths), batch_first=True, enforce_sorted=False)
    packed_out, expected_h = layer(packed, t64(h0)[None] if given else None)
    expected, _ = pack.pad_packed_sequence(packed_out, batch_first=True, total_length=T)
    output, h_n = solution("packed_rnn").gru_forward_lengths(
        x, lengths, h0 if given else None, **weights(layer, np.float64))
    assert_close(output, expected, np.float64)
    assert_close(h_n, expected_h[0], np.float64)
    assert not output[0, 2:].any()  # padding stays zero


def test_seq_classifier_matches_torch(rng):
    C = 3
    W = random_weights(rng, 4)
    W_out, b_out = rng.standard_normal((C, H)), rng.standard_normal(C)  # (C, H), (C,)
    x, labels = rng.standard_normal((B, T, I)), np.array([2, 0, 2])  # (B, T, I), (B,)
    _, (h_n, _) = functional("lstm", {k: t64(v) for k, v in W.items()}, t64(x))
    weight, bias = leaf(W_out), leaf(b_out)
    logits = h_n[0] @ weight.T + bias  # (B, C)
    logits.retain_grad()
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels))
    loss.backward()
    actual_loss, grads = solution("seq_classifier").seq_classifier(x, labels, **W, W_out=W_out, b_out=b_out)
    assert isinstance(actual_loss, float) and abs(actual_loss - loss.item()) < 1e-12
    assert set(grads) == {"logits", "W_out", "b_out"}
    assert relative_error(grads["logits"], logits.grad) < 1e-10
    assert relative_error(grads["W_out"], weight.grad) < 1e-10
    assert relative_error(grads["b_out"], bias.grad) < 1e-10


def test_seq_classifier_survives_huge_logits(rng):
    W = random_weights(rng, 4)
    loss, grads = solution("seq_classifier").seq_classifier(
        rng.standard_normal((B, T, I)), np.array([0, 1, 0]), **W,
        W_out=np.full((2, H), 1e4), b_out=np.array([0.0, 1e5]))
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
