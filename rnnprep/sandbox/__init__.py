"""The sandbox: one child process per submission, confined by the kernel where it can be.

The child (child.py) runs only the standard library, numpy and the submission; it confines
itself (confine.py) before the submission's first line and answers calls over a pipe in the
framed format of protocol.py. The grader's side is launch.py. docs/grading.md holds the
threat model and what each isolation level guarantees.
"""

from rnnprep.sandbox.launch import CallOutcome, CallRequest, Isolation, Limits, LoadReport, Sandbox
from rnnprep.sandbox.protocol import Model, Opaque, ProtocolError, RngSeed

__all__ = [
    "CallOutcome",
    "CallRequest",
    "Isolation",
    "Limits",
    "LoadReport",
    "Model",
    "Opaque",
    "ProtocolError",
    "RngSeed",
    "Sandbox",
]
