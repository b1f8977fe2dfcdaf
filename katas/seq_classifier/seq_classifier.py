"""Kata seq_classifier: many-to-one LSTM classifier, cross-entropy loss and its gradients.

Instructions: README.md next to this file (or `rnnprep kata seq_classifier`).
Check your work: `rnnprep kata seq_classifier --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def seq_classifier(x, labels, W_ih, W_hh, b_ih, b_hh, W_out, b_out):
    """Return (loss, grads) for logits = h_T W_out^T + b_out and mean cross-entropy.

    Args:
        x:      (B, T, I)
        labels: (B,)  ints in [0, C)
        W_ih: (4H, I), W_hh: (4H, H), b_ih: (4H,), b_hh: (4H,)   LSTM as nn.LSTM (i, f, g, o), h0 = c0 = 0
        W_out:  (C, H)  the linear layer's weight
        b_out:  (C,)    the linear layer's bias

    Returns:
        loss:  float, F.cross_entropy(logits, labels) (mean over the batch)
        grads: {"logits": (B, C), "W_out": (C, H), "b_out": (C,)}, gradients of the loss
    """
    # TODO: run the LSTM, keep only the last hidden state                 # (B, H)
    # TODO: logits                                                        # (B, C)
    # TODO: a numerically stable log-softmax (subtract the row max)        # (B, C)
    # TODO: loss = mean of -log p[label]
    # TODO: d_logits = (softmax - one_hot) / B; then W_out and b_out        # (B, C)
    raise NotImplementedError("seq_classifier: write the classifier")
