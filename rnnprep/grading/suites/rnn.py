"""Hidden suite for the rnn kata: rnn_forward against torch.nn.RNN (tanh and relu)."""

from rnnprep.grading.suites._recurrent import SequenceSuite

SUITE = SequenceSuite("rnn", "rnn", entry="rnn_forward")
