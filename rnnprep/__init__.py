"""rnnprep: interview preparation for recurrent networks."""

__version__ = "0.1.0"
