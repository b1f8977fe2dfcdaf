"""Every mistake the grader can name, by id: the forward-pass ones, the advanced katas' ones and
those of the interview katas (masked loss, sampling, attention, seq2seq, beam search, gradient
check), each defined beside the slips that recognise it."""

from __future__ import annotations

from rnnprep.diagnosis import (
    advanced,
    attention,
    beam_search,
    forward,
    grad_check,
    masked_loss,
    sampling,
    seq2seq_attention,
)
from rnnprep.diagnosis.mistake import Mistake

MODULES = (forward, advanced, masked_loss, sampling, attention, seq2seq_attention, beam_search, grad_check)
CATALOGUE: dict[str, Mistake] = {m.id: m for module in MODULES for m in module.MISTAKES}
