"""Vanishing gradients: how much of ∂L/∂h_t is left at each step when L reads the last step only.

Each model runs the same random sequences one step at a time (its cell), keeps every h_t,
and back-propagates L = sum(h_{T-1}). The curve is ‖∂L/∂h_t‖ for t = 0 … T-1: near T-1
it is large, and how fast it falls towards t = 0 is the lesson.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnprep.explore import RECURRENT_INITS
from rnnprep.explore.result import ExplorationResult
from rnnprep.explore.threads import single_thread

MODELS = ("rnn_tanh", "rnn_relu", "lstm", "lstm_forget_bias_1", "gru")
INPUT_SIZE = 8  # x_t ~ N(0, 1) of this size drives every model
BATCH = 16  # sequences; the curve is the geometric mean of their norms


def make_cell(model: str, hidden: int, init: str) -> nn.RNNCellBase:
    """The model's cell in float64, with its recurrent weights set by `init`."""
    if model in ("rnn_tanh", "rnn_relu"):
        cell: nn.RNNCellBase = nn.RNNCell(INPUT_SIZE, hidden, nonlinearity=model.removeprefix("rnn_"))
    elif model.startswith("lstm"):
        cell = nn.LSTMCell(INPUT_SIZE, hidden)
    else:
        cell = nn.GRUCell(INPUT_SIZE, hidden)
    cell = cell.double()
    with torch.no_grad():
        if model == "lstm_forget_bias_1":  # rows H:2H are the forget gate (torch order i, f, g, o)
            cell.bias_ih[hidden : 2 * hidden].fill_(1.0)
            cell.bias_hh[hidden : 2 * hidden].fill_(0.0)  # the two biases add up: 1 in all
        for block in cell.weight_hh.split(hidden):  # (H, H) per gate
            set_recurrent(block, init)
    return cell


def set_recurrent(block: torch.Tensor, init: str) -> None:
    """Overwrite one (H, H) recurrent block in place; 'default' keeps torch's U(-1/√H, 1/√H)."""
    if init == "orthogonal":
        nn.init.orthogonal_(block)
    elif init == "identity":
        block.copy_(torch.eye(block.shape[0], dtype=block.dtype))
    elif init != "default":
        raise ValueError(f"init must be one of {', '.join(RECURRENT_INITS)}, got {init!r}")


def gradient_norms(cell: nn.RNNCellBase, inputs: torch.Tensor) -> list[float]:
    """‖∂L/∂h_t‖ for each t, L = sum(h_{T-1}); geometric mean over the batch."""
    steps, batch, _ = inputs.shape  # (T, B, I)
    hidden = cell.hidden_size
    h = inputs.new_zeros(batch, hidden)  # (B, H)
    c = inputs.new_zeros(batch, hidden)  # (B, H), LSTM only
    states = []
    for t in range(steps):
        if isinstance(cell, nn.LSTMCell):
            h, c = cell(inputs[t], (h, c))  # (B, H) each
        else:
            h = cell(inputs[t], h)  # (B, H)
        h.retain_grad()
        states.append(h)
    h.sum().backward()
    norms = torch.stack([state.grad.norm(dim=1) for state in states])  # (T, B)
    return norms.log().mean(dim=1).exp().tolist()  # (T,): geometric mean; 0 stays 0


def measure_vanishing(steps: int, hidden: int, init: str, seed: int) -> ExplorationResult:
    """‖∂L/∂h_t‖ over t for a tanh RNN, a ReLU RNN, an LSTM (forget bias as torch sets it, and 1) and a GRU."""
    if init not in RECURRENT_INITS:
        raise ValueError(f"init must be one of {', '.join(RECURRENT_INITS)}, got {init!r}")
    with single_thread():
        generator = torch.Generator().manual_seed(seed + 1)  # weights come from `seed`: other streams
        inputs = torch.randn(steps, BATCH, INPUT_SIZE, generator=generator, dtype=torch.float64)  # (T, B, I)
        series: dict[str, list[float | None]] = {}
        for model in MODELS:
            torch.manual_seed(seed)  # same weights for lstm and lstm_forget_bias_1 but the bias
            series[model] = list(gradient_norms(make_cell(model, hidden, init), inputs))
    return ExplorationResult(
        name="vanishing",
        title=f"‖∂L/∂h_t‖ when the loss reads step {steps - 1} only",
        series=series,
        settings={"steps": steps, "hidden": hidden, "init": init, "seed": seed, "input_size": INPUT_SIZE,
                  "batch": BATCH, "loss": "sum(h_{T-1})", "index": "t = 0 … steps-1",
                  "norm": "‖∂L/∂h_t‖₂, geometric mean over the batch",
                  "forget_bias_1": "bias_ih[H:2H] = 1, bias_hh[H:2H] = 0"},
        summary={"first_over_last": {model: ratio(values) for model, values in series.items()}},
    )


def ratio(values: list[float | None]) -> float | None:
    """‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖: the share of the gradient that reaches the first step."""
    first, last = values[0], values[-1]
    return None if first is None or not last else first / last
