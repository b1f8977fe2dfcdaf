"""The test suite itself leaves no trace: every place rnnprep writes resolves into a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REAL_FOLDERS

from rnnprep.cli.app import App
from rnnprep.paths import cache_dir


def test_every_folder_rnnprep_writes_is_the_tests_own(tmp_path: Path) -> None:
    for folder in (App().home, cache_dir(), Path(os.environ["HOME"]), Path(os.environ["XDG_CACHE_HOME"])):
        assert tmp_path in folder.parents or folder == tmp_path, folder
    assert all(tmp_path not in folder.parents for folder in REAL_FOLDERS)


def test_the_bank_cache_and_the_store_land_in_the_temp_dir(runner, tmp_path: Path) -> None:
    from rnnprep.cli import cli

    result = runner.invoke(cli, ["quiz", "--all", "-n", "1"], input="q\n")
    assert result.exit_code == 0, result.output
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written <= {"rnnprep-home", "user-home"}, written
