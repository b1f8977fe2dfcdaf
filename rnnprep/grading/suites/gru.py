"""Hidden suite for the gru kata: gru_forward against torch.nn.GRU."""

from rnnprep.grading.suites._recurrent import SequenceSuite

SUITE = SequenceSuite("gru", "gru", entry="gru_forward")
