"""The validated-bank cache: fast when nothing changed, never stale when something did."""

from pathlib import Path

from rnnprep.bank import lint, load_questions
from rnnprep.bank.cache import BankCache
from rnnprep.paths import cache_dir


def copy_bank(sample_bank: Path, tmp_path: Path) -> Path:
    bank = tmp_path / "bank.yaml"
    bank.write_text(sample_bank.read_text())
    return bank


def test_cache_lives_under_rnnprep_home_in_tests(isolated_home):
    assert cache_dir() == isolated_home / "cache"


def test_second_load_is_served_from_the_cache(sample_bank, tmp_path, isolated_home):
    bank = copy_bank(sample_bank, tmp_path)
    first = load_questions([bank], shipped=False)
    assert (isolated_home / "cache" / "banks.pickle").is_file()
    calls = []
    cached = BankCache().get_or_compute(bank, str(bank), lambda: calls.append(1))
    assert calls == [] and cached[0].questions == tuple(first)


def test_an_edited_bank_is_validated_again(sample_bank, tmp_path):
    bank = copy_bank(sample_bank, tmp_path)
    assert lint([bank]) == []
    bank.write_text(bank.read_text().replace("answer: a\n", "answer: z\n", 1))
    assert [p.message for p in lint([bank])] == ["mcq answer 'z' is not among the choices a-c"]


def test_a_corrupt_cache_is_ignored_and_rebuilt(sample_bank, tmp_path, isolated_home):
    bank = copy_bank(sample_bank, tmp_path)
    (isolated_home / "cache").mkdir(parents=True)
    (isolated_home / "cache" / "banks.pickle").write_bytes(b"not a pickle")
    assert len(load_questions([bank], shipped=False)) == 9
    assert BankCache().entries  # rewritten with the fresh result


def test_an_unwritable_cache_dir_is_not_an_error(sample_bank, tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("RNNPREP_CACHE", str(blocker / "cache"))
    assert len(load_questions([copy_bank(sample_bank, tmp_path)], shipped=False)) == 9
