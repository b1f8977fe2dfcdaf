"""Grader diagnosis: name the known mistake behind a failing value check and say where it starts.

    from rnnprep.grading.diagnosis import diagnose, localise, CATALOGUE
    ids = diagnose("lstm", inputs, actual, 1e-9)        # e.g. ["gate-order"], [] if unknown
    where = localise("lstm", inputs, expected, actual, 1e-9)
    CATALOGUE["gate-order"].fix

Everything is NumPy in float64 in the grader's process; the user's code is never run here.
"""

from rnnprep.grading.diagnosis.catalogue import CATALOGUE, Mistake
from rnnprep.grading.diagnosis.diagnose import diagnose, explain_match
from rnnprep.grading.diagnosis.localise import localise

__all__ = ["CATALOGUE", "Mistake", "diagnose", "explain_match", "localise"]
