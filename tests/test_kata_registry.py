"""rnnprep.registry: loading, validation and did-you-mean lookup of katas.yaml and local katas."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rnnprep import registry
from rnnprep.errors import RnnprepError
from rnnprep.registry import RegistryError, UnknownKataError


def entry(name: str, level: int, **changes: object) -> dict[str, object]:
    """A valid registry entry."""
    base: dict[str, object] = {
        "name": name, "title": f"The {name} kata", "level": level, "difficulty": "easy",
        "topics": ["rnn"], "prerequisites": [], "entry": [f"{name}_fn"],
        "hints": ["nudge", "equation", "near-code"], "returns": "out[B,H]",
    }
    return {**base, **changes}


def write(tmp_path: Path, katas: list[dict[str, object]], fmt: int = 1) -> Path:
    path = tmp_path / "katas.yaml"
    path.write_text(yaml.safe_dump({"format": fmt, "katas": katas}), encoding="utf-8")
    return path


def test_shipped_registry_loads_in_level_order():
    katas = registry.default().katas
    assert [k.level for k in katas] == sorted(k.level for k in katas)
    assert katas[0].name == "rnn_cell"
    lstm = registry.get("lstm")
    assert lstm.entry == ("lstm_forward",)
    assert lstm.starter.name == "lstm.py" and lstm.starter.parent.name == "lstm"
    assert lstm.solution.name == "lstm.py" and lstm.solution.parent.name == "solutions"


def test_sorted_by_level_not_file_order(tmp_path):
    path = write(tmp_path, [entry("b", 2), entry("a", 1)])
    assert registry.load(path).names() == ["a", "b"]


@pytest.mark.parametrize(("typo", "suggestion"), [("lstn", "lstm"), ("gru-cell", "gru_cell"), ("LSTM_CELL", "lstm_cell")])
def test_unknown_name_suggests_the_closest(typo, suggestion):
    with pytest.raises(UnknownKataError, match=f"Did you mean '{suggestion}'"):
        registry.get(typo)


def test_unknown_name_without_close_match_points_at_the_list():
    with pytest.raises(UnknownKataError) as caught:
        registry.get("transformer")
    assert "Did you mean" not in str(caught.value)
    assert "rnnprep kata list" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("katas", "message"),
    [
        ([entry("a", 1, hints=["one", "two"])], "at least 3 hints"),
        ([entry("a", 1, difficulty="brutal")], "'difficulty' must be one of"),
        ([entry("a", 1), entry("a", 2)], "used twice"),
        ([entry("a", 1), entry("b", 1)], "level 1 is already used by 'a'"),
        ([entry("a", 1, prerequisites=["zzz"])], "unknown prerequisite 'zzz'"),
        ([entry("a", 1, prerequisites=["b"]), entry("b", 2)], "must have a lower level"),
        ([entry("a-b", 1)], "Python identifier"),
        ([entry("a", 0)], "positive integer"),
        ([entry("a", 1, entry=[])], "at least one"),
        ([entry("a", 1, hint=["x"])], "unknown key(s) hint"),
        ([{"name": "a"}], "missing key(s)"),
        ([entry("a", 1, returns="(out[B,H]")], "'returns': missing ')'"),
        ([entry("a", 1, returns=3)], "'returns' must be a return signature"),
        ([entry("a", 1, family="transformer")], "'family' must be one of"),
        ([entry("a", 1, kind="weird")], "'kind' must be one of"),
        (["just a string"], "katas[0]"),
    ],
)
def test_invalid_registry_names_file_kata_and_problem(tmp_path, katas, message):
    path = write(tmp_path, katas)
    with pytest.raises(RegistryError) as caught:
        registry.load(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_wrong_format_version_is_rejected(tmp_path):
    with pytest.raises(RegistryError, match="format: 1"):
        registry.load(write(tmp_path, [entry("a", 1)], fmt=2))


def test_unreadable_or_invalid_yaml_is_a_user_error(tmp_path):
    with pytest.raises(RnnprepError, match="Cannot read"):
        registry.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("katas: [\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid YAML"):
        registry.load(bad)


def test_shipped_entries_carry_the_contract() -> None:
    lstm = registry.get("lstm")
    assert (lstm.family, lstm.kind, lstm.outputs) == ("lstm", "sequence", ("output", "h_n", "c_n"))
    assert lstm.suite.name == "test_lstm.py" and lstm.suite.is_file()
    # The forward-pass and advanced katas say what form their contract has; the interview
    # katas (loss, sampling, search, attention, gradient check) are their own kind.
    custom = {k.name for k in registry.default() if k.kind == "custom"}
    assert custom == {"masked_loss", "grad_check", "sampling", "beam_search", "attention", "seq2seq_attention"}


def local_kata(root: Path, name: str = "peephole", **changes: object) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    data = {k: v for k, v in entry(name, 1, **changes).items() if k != "level"}
    (folder / "kata.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def test_local_katas_join_the_path_after_the_shipped_ones(tmp_path, monkeypatch) -> None:
    local_kata(tmp_path)
    monkeypatch.setenv(registry.KATAS_ENV, str(tmp_path))
    loaded = registry.default()
    assert loaded.names()[-1] == "peephole"
    kata = loaded.get("peephole")
    assert kata.local and kata.suite == tmp_path / "peephole" / "test_peephole.py"
    assert kata.solution == tmp_path / "peephole" / "solution.py"
    assert kata.level > max(k.level for k in loaded if not k.local)


def test_a_local_dir_may_be_the_kata_folder_itself(tmp_path) -> None:
    folder = local_kata(tmp_path)
    assert registry.load(local_dirs=[folder]).get("peephole").folder == folder


def test_a_local_kata_named_unlike_its_folder_is_refused(tmp_path) -> None:
    folder = local_kata(tmp_path)
    folder.rename(tmp_path / "other")
    with pytest.raises(RegistryError, match="must match its folder 'other'"):
        registry.load(local_dirs=[tmp_path])


def test_a_missing_local_dir_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(RegistryError, match="not a folder"):
        registry.load(local_dirs=[tmp_path / "nope"])


def test_a_local_kata_may_not_reuse_a_shipped_name(tmp_path) -> None:
    local_kata(tmp_path, "lstm")
    with pytest.raises(RegistryError, match="used twice"):
        registry.load(local_dirs=[tmp_path])
