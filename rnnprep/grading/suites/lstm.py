"""Hidden suite for the lstm kata: lstm_forward against torch.nn.LSTM."""

from rnnprep.grading.suites._recurrent import SequenceSuite

SUITE = SequenceSuite("lstm", "lstm", entry="lstm_forward")
