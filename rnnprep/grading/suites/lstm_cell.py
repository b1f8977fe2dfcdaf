"""Hidden suite for the lstm_cell kata: one step against torch.nn.LSTMCell."""

from rnnprep.grading.suites._recurrent import CellSuite

SUITE = CellSuite("lstm_cell", "lstm", entry="lstm_cell")
