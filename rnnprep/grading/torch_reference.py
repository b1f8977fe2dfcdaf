"""Expected outputs from torch.nn modules loaded with the case's weights, in float64.

The hidden suites build their references from these helpers. Only the grader's process
imports torch; the submission's child never can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import torch

def tensor(array: np.ndarray | None) -> torch.Tensor | None:
    """A float64 tensor (None stays None)."""
    import torch

    return None if array is None else torch.from_numpy(array).to(torch.float64)


def to_numpy(value: Any) -> Any:
    """Tensors (nested in tuples) back to float64 numpy arrays."""
    if isinstance(value, tuple):
        return tuple(to_numpy(v) for v in value)
    return value.detach().numpy().astype("float64")


def load(module: torch.nn.Module, **weights: np.ndarray) -> torch.nn.Module:
    """Copy the case's weights into a float64 module, parameter by parameter."""
    import torch

    module = module.double()
    with torch.no_grad():
        for name, value in weights.items():
            getattr(module, name).copy_(tensor(value))
    return module


def zeros_if_none(state: np.ndarray | None, batch: int, hidden: int) -> torch.Tensor:
    """torch needs h0 and c0 both given or both absent; None means zeros."""
    import torch

    return torch.zeros(batch, hidden, dtype=torch.float64) if state is None else tensor(state)


def cell(kind: str, inputs: dict[str, Any]) -> Any:
    """nn.RNNCell / nn.LSTMCell / nn.GRUCell on one step; returns h_t or (h_t, c_t)."""
    import torch

    x_t, W_ih, W_hh = inputs["x_t"], inputs["W_ih"], inputs["W_hh"]
    (B, I), H = x_t.shape, W_hh.shape[1]  # x_t (B, I), W_hh (G*H, H)
    if kind == "rnn":
        module = torch.nn.RNNCell(I, H, nonlinearity=inputs["nonlinearity"])
    else:
        module = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind](I, H)
    module = load(
        module, weight_ih=W_ih, weight_hh=W_hh, bias_ih=inputs["b_ih"], bias_hh=inputs["b_hh"]
    )
    h = zeros_if_none(inputs["h_prev"], B, H)  # (B, H)
    with torch.no_grad():
        if kind == "lstm":
            c = zeros_if_none(inputs["c_prev"], B, H)  # (B, H)
            return to_numpy(module(tensor(x_t), (h, c)))  # ((B, H), (B, H))
        return to_numpy(module(tensor(x_t), h))  # (B, H)


def sequence(kind: str, inputs: dict[str, Any]) -> Any:
    """nn.RNN / nn.LSTM / nn.GRU (batch_first) over x; returns torch's (output, state)."""
    import torch

    x, W_ih, W_hh = inputs["x"], inputs["W_ih"], inputs["W_hh"]
    (B, _, I), H = x.shape, W_hh.shape[1]  # x (B, T, I), W_hh (G*H, H)
    if kind == "rnn":
        module = torch.nn.RNN(I, H, nonlinearity=inputs["nonlinearity"], batch_first=True)
    else:
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](I, H, batch_first=True)
    module = load(
        module,
        weight_ih_l0=W_ih,
        weight_hh_l0=W_hh,
        bias_ih_l0=inputs["b_ih"],
        bias_hh_l0=inputs["b_hh"],
    )
    h0 = zeros_if_none(inputs["h0"], B, H)[None]  # (1, B, H): torch adds a layer axis
    with torch.no_grad():
        if kind == "lstm":
            c0 = zeros_if_none(inputs["c0"], B, H)[None]  # (1, B, H)
            output, (h_n, c_n) = module(tensor(x), (h0, c0))  # (B, T, H), (1, B, H) x 2
            return to_numpy((output, (h_n[0], c_n[0])))  # (B, T, H), ((B, H), (B, H))
        output, h_n = module(tensor(x), h0)  # (B, T, H), (1, B, H)
        return to_numpy((output, h_n[0]))  # (B, T, H), (B, H)


def linear(h: torch.Tensor, weight: np.ndarray, bias: np.ndarray) -> torch.Tensor:
    """nn.Linear on a column vector h (H, 1) with the tutorial's (O, H) weight and (O, 1) bias."""
    import torch

    O, H = weight.shape
    module = load(torch.nn.Linear(H, O), weight=weight, bias=bias.ravel())
    with torch.no_grad():
        return module(h.T).T  # (O, 1)
