"""LSTM gates at work: a hand-set one-unit torch LSTM that stores a value, shows it, then forgets it.

The input has four channels: a value (noise, except at the two writes) and three flags,
write, read and erase. The weights are set by hand in torch's layout (rows i, f, g, o):
the input gate opens on write, the forget gate stays near 1 and drops on erase, the
candidate g is tanh(value), and the output gate opens on read. So the heatmap shows the
forget gate holding the cell for many steps and then releasing it.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnprep.explore.result import ExplorationResult
from rnnprep.explore.threads import single_thread

CHANNELS = ("value", "write", "read", "erase")
GATES = ("i", "f", "g", "o")  # torch's order of the four (H, ·) blocks
STEPS = 40
NOISE = 0.5  # the std of the value channel between writes: what the closed input gate keeps out
SHARPNESS = 16.0  # a flag moves a gate's pre-activation by this much: σ(±8) is 0.99966 / 0.00034
# (step, channel, value): write 0.8, show it, erase it; write -0.6, show it.
EVENTS = ((4, "write", 0.8), (12, "read", None), (20, "erase", None), (26, "write", -0.6), (34, "read", None))


def event_inputs(seed: int) -> torch.Tensor:
    """The input sequence: noisy values, the flags of EVENTS, the written values."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.zeros(STEPS, 1, len(CHANNELS))  # (T, B=1, 4)
    inputs[:, 0, 0] = NOISE * torch.randn(STEPS, generator=generator)
    for step, channel, value in EVENTS:
        inputs[step, 0, CHANNELS.index(channel)] = 1.0
        if value is not None:
            inputs[step, 0, 0] = value
    return inputs


def hand_set_lstm() -> nn.LSTM:
    """A one-unit LSTM whose gates follow the flags (weights in torch's i, f, g, o rows)."""
    lstm = nn.LSTM(len(CHANNELS), 1)
    half = SHARPNESS / 2
    weights = torch.zeros(4, len(CHANNELS))  # (4H, I), H = 1
    bias = torch.zeros(4)  # (4H,)
    weights[0, CHANNELS.index("write")], bias[0] = SHARPNESS, -half  # i: open on write
    weights[1, CHANNELS.index("erase")], bias[1] = -SHARPNESS, half  # f: hold, drop on erase
    weights[2, CHANNELS.index("value")] = 1.0  # g = tanh(value)
    weights[3, CHANNELS.index("read")], bias[3] = SHARPNESS, -half  # o: open on read
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(weights)
        lstm.weight_hh_l0.zero_()  # (4H, H): the gates listen to the flags only
        lstm.bias_ih_l0.copy_(bias)
        lstm.bias_hh_l0.zero_()
    return lstm


def gate_activations(lstm: nn.LSTM, inputs: torch.Tensor) -> dict[str, list[float]]:
    """i, f, g, o, c and h at every step, from the cell's own weights."""
    pre = inputs[:, 0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0  # (T, 4H); W_hh = 0
    i, f, g, o = pre.chunk(4, dim=1)  # (T, H) each
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    outputs, _ = lstm(inputs)  # (T, 1, H)
    cells = [torch.zeros(1)]
    for t in range(inputs.shape[0]):
        cells.append(f[t] * cells[-1] + i[t] * g[t])  # (H,)
    c = torch.stack(cells[1:])  # (T, H)
    h = o * c.tanh()  # (T, H)
    if not torch.allclose(h, outputs[:, 0], atol=1e-6):  # our gates are the ones torch ran
        raise AssertionError("the gate activations do not reproduce nn.LSTM's output")
    return {name: values[:, 0].tolist() for name, values in zip((*GATES, "c", "h"), (i, f, g, o, c, h), strict=True)}


def measure_gates(seed: int) -> ExplorationResult:
    """The gate activations of the hand-set LSTM over the event sequence."""
    with single_thread(), torch.no_grad():
        inputs = event_inputs(seed)  # (T, 1, 4)
        activations = gate_activations(hand_set_lstm(), inputs)
        series: dict[str, list[float | None]] = dict(activations)
        for index, channel in enumerate(CHANNELS):
            series[channel] = inputs[:, 0, index].tolist()
    forget, cell = activations["f"], activations["c"]
    first_write, erase = EVENTS[0][0], EVENTS[2][0]
    return ExplorationResult(
        name="gates",
        title="A hand-set LSTM unit: the forget gate holds the cell, then releases it",
        series=series,
        settings={"steps": STEPS, "seed": seed, "hidden": 1, "noise_std": NOISE, "sharpness": SHARPNESS,
                  "events": [{"step": s, "flag": flag, "value": v} for s, flag, v in EVENTS],
                  "index": "t = 0 … steps-1"},
        summary={"forget_while_holding_min": min(forget[first_write + 1 : erase]),
                 "forget_at_erase": forget[erase],
                 "cell_kept_from_write_to_erase": cell[erase - 1] / cell[first_write]},
    )
