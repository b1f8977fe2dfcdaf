"""The progress store: a versioned SQLite file of answers, kata attempts and FSRS cards.

    from rnnprep.store import Store
    store = Store.open(path)
    store.record_review("lstm.gates.forget-role", topic="lstm", rev=1, answer="a",
                        correct=True, response_time=4.2)
    order = store.plan([("lstm.gates.forget-role", 1), ...], mode="default")
"""

from rnnprep.store.core import PLAN_MODES, KataStatus, Store
from rnnprep.store.scheduling import MASTERED_STABILITY_DAYS, CardState
from rnnprep.store.schema import SCHEMA_VERSION

# The store's file name inside the data directory (App.home).
STORE_FILENAME = "progress.sqlite3"

__all__ = ["MASTERED_STABILITY_DAYS", "PLAN_MODES", "SCHEMA_VERSION", "STORE_FILENAME", "CardState", "KataStatus", "Store"]
