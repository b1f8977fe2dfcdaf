"""Kata seq2seq_attention: the capstone. A GRU encoder-decoder with Luong (dot) attention,
trained with teacher forcing: return the mean cross-entropy and the attention weights.

Instructions: README.md next to this file (or `rnnprep kata seq2seq_attention`).
Check your work: `rnnprep kata seq2seq_attention --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def seq2seq_loss(src, src_lengths, tgt, params, bos):
    """Return (loss, attn) of the encoder-decoder with attention, as the README describes.

    Args:
        src:         (B, S)  int source token ids, right-padded (ids past a length are noise)
        src_lengths: (B,)    int, 1 <= src_lengths[b] <= S, in any order
        tgt:         (B, T)  int target token ids; every one of them is predicted and counted
        params:      dict of float arrays, named like torch's parameters:
                     src_embed (Vs, E), tgt_embed (Vt, E),
                     enc.weight_ih (3H, E), enc.weight_hh (3H, H), enc.bias_ih (3H,), enc.bias_hh (3H,),
                     dec.weight_ih (3H, E), dec.weight_hh (3H, H), dec.bias_ih (3H,), dec.bias_hh (3H,),
                     W_c (H, 2H), b_c (H,), W_out (Vt, H), b_out (Vt,)
        bos:         int, the token the decoder reads at its first step

    Returns:
        loss: float, the mean cross-entropy over all B*T target tokens
        attn: (B, T, S)  attn[:, t] are the attention weights of decoder step t
    """
    # TODO: embed the source and run the encoder GRU over all S steps from zeros   # (B, S, H)
    # TODO: mask of the real source positions from src_lengths                      # (B, S) bool
    # TODO: decoder h0 = the encoder output at each row's last REAL step             # (B, H)
    # TODO: decoder inputs [bos, tgt[:, :-1]] (teacher forcing)                      # (B, T)
    # TODO: per step t: GRU cell, masked dot attention, c = a @ enc_out,
    #       h~ = tanh([c; h] W_c^T + b_c), logits = h~ W_out^T + b_out                # (B, Vt)
    # TODO: loss = mean over b, t of -log_softmax(logits)[tgt]; attn[:, t] = a       # (B, T, S)
    raise NotImplementedError("seq2seq_loss: encoder, decoder with attention, loss")
