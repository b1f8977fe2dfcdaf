"""Hidden suite for the gru_cell kata: one step against torch.nn.GRUCell."""

from rnnprep.grading.suites._recurrent import CellSuite

SUITE = CellSuite("gru_cell", "gru", entry="gru_cell")
