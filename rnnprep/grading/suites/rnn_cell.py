"""Hidden suite for the rnn_cell kata: one step against torch.nn.RNNCell."""

from rnnprep.grading.suites._recurrent import CellSuite

SUITE = CellSuite("rnn_cell", "rnn", entry="rnn_cell")
