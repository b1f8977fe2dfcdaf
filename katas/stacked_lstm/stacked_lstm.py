"""Kata stacked_lstm: a multi-layer, optionally bidirectional LSTM, as torch.nn.LSTM(batch_first=True).

Instructions: README.md next to this file (or `rnnprep kata stacked_lstm`).
Check your work: `rnnprep kata stacked_lstm --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def lstm_forward_multi(x, h0, c0, params, num_layers, bidirectional):
    """Return (output, (h_n, c_n)) exactly as nn.LSTM(I, H, num_layers, bidirectional=..., batch_first=True).

    Args:
        x:      (B, T, I)
        h0, c0: (num_layers * D, B, H) or None (zeros); D = 2 if bidirectional else 1
        params: dict with torch's names: weight_ih_l{k} (4H, I for k=0 else D*H),
                weight_hh_l{k} (4H, H), bias_ih_l{k} (4H,), bias_hh_l{k} (4H,),
                and the same with the suffix _reverse when bidirectional
        num_layers: int >= 1
        bidirectional: bool

    Returns:
        output: (B, T, D*H)  the last layer's h at every step, forward then reverse halves
        (h_n, c_n): each (num_layers * D, B, H), index layer * D + direction
    """
    # TODO: a helper running one layer in one direction                   # (B, T, H)
    # TODO: the reverse direction walks t = T-1 .. 0 but stores output at t
    # TODO: layer k > 0 reads the concatenated outputs of layer k-1        # (B, T, D*H)
    # TODO: collect h_n, c_n in torch's order                              # (L*D, B, H)
    raise NotImplementedError("lstm_forward_multi: write the stacked LSTM")
