"""Where rnnprep keeps things on this machine: the data folder and the cache.

Environment variables win over the platform's defaults, so tests, CI and people with several
profiles can point rnnprep elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """RNNPREP_HOME, else the platform's user data dir (the progress store lives here)."""
    if os.environ.get("RNNPREP_HOME"):
        return Path(os.environ["RNNPREP_HOME"]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("rnnprep", appauthor=False)


def cache_dir() -> Path:
    """RNNPREP_CACHE, else RNNPREP_HOME/cache, else the platform's user cache dir."""
    if os.environ.get("RNNPREP_CACHE"):
        return Path(os.environ["RNNPREP_CACHE"]).expanduser()
    if os.environ.get("RNNPREP_HOME"):
        return Path(os.environ["RNNPREP_HOME"]).expanduser() / "cache"
    from platformdirs import user_cache_path

    return user_cache_path("rnnprep", appauthor=False)
