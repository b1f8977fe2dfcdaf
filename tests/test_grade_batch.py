"""`rnnprep grade`: every input layout, a batch with hanging and hostile submissions in the
middle, Ctrl-C then --resume, shards merged, and each report format read back (JUnit against
a schema, the CSV with the csv module, the HTML escaped).

The end-to-end runs start the real CLI in a subprocess: worker processes, sandboxes and all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnnprep.grading import reports
from rnnprep.grading.batch import BatchReport, BatchRow, merge
from rnnprep.grading.check import kernel_confinement_expected
from rnnprep.grading.submissions import MAX_SOURCE_BYTES, collect, in_shard

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "lstm.py").read_text()
GATE_ORDER = (ROOT / "tests" / "fixtures" / "grading" / "lstm" / "gate_order.py").read_text()
HANGS = "def lstm_forward(*args):\n    while True:\n        pass\n"
HOSTILE = """
import os, signal
for attempt in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: open(MARKER, "w").write("pwned"),
                lambda: os.killpg(0, signal.SIGKILL)):
    try:
        attempt()
    except BaseException:
        pass

def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    os.kill(os.getppid(), signal.SIGKILL)
"""
KERNEL = pytest.mark.skipif(not kernel_confinement_expected(), reason="rnnprep grade needs kernel isolation")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def grade(*args: str | Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`python -m rnnprep grade ...`, captured."""
    return subprocess.run([sys.executable, "-m", "rnnprep", "grade", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})  # fmt: skip


def rows_of(path: Path) -> dict[str, dict]:
    return {row["submission"]: row for row in json.loads(path.read_text())["submissions"]}


# --- input layouts (no grading) -------------------------------------------------------------------


def test_files_folders_of_files_and_folders_of_folders(tmp_path: Path) -> None:
    write(tmp_path / "single.py", "x = 1\n")
    write(tmp_path / "class" / "alice.py", "x = 1\n")
    write(tmp_path / "class" / "bob.py", "x = 2\n")
    write(tmp_path / "people" / "carol" / "lstm.py", "x = 3\n")
    write(tmp_path / "people" / "dave" / "katas" / "lstm" / "lstm.py", "x = 4\n")
    write(tmp_path / "people" / "erin" / "notes.txt", "no code\n")
    found = {s.name: s for s in collect("lstm", [tmp_path / "single.py", tmp_path / "class", tmp_path / "people"])}
    assert sorted(found) == ["alice", "bob", "carol", "dave", "erin", "single"]
    assert found["dave"].source == "x = 4\n" and found["dave"].origin.endswith("dave/katas/lstm/lstm.py")
    assert found["erin"].source is None and "no lstm.py or katas/lstm/lstm.py" in (found["erin"].problem or "")


def test_a_zip_with_a_wrapper_folder_is_read_in_memory(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export/alice.py", "a = 1\n")
        z.writestr("export/bob/lstm.py", "b = 1\n")
        z.writestr("export/carol/katas/lstm/lstm.py", "c = 1\n")
        z.writestr("export/__MACOSX/._alice.py", "junk")
        z.writestr("../escape.py", "evil = 1\n")  # a zip-slip member is never a submission
    found = {s.name: s for s in collect("lstm", [archive])}
    assert sorted(found) == ["alice", "bob", "carol"]
    assert found["bob"].origin == f"{archive}:export/bob/lstm.py" and found["bob"].source == "b = 1\n"
    assert not (tmp_path / "escape.py").exists() and not (tmp_path / "export").exists()


def test_what_cannot_be_read_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "class" / "latin1.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    (tmp_path / "class" / "huge.py").write_text("#" * (MAX_SOURCE_BYTES + 1))
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    found = {s.name: s.problem for s in collect("lstm", [tmp_path / "class", tmp_path / "missing", tmp_path / "broken.zip"])}
    assert "cannot read" in found["dangling"] and "not UTF-8" in found["latin1"]
    assert "larger than" in found["huge"] and "does not exist" in found["missing"]
    assert "cannot open" in found["broken"] and "as a zip" in found["broken"]


def test_the_same_name_twice_stays_two_submissions(tmp_path: Path) -> None:
    write(tmp_path / "a" / "alice.py", "x = 1\n")
    write(tmp_path / "b" / "alice.py", "x = 2\n")
    assert [s.name for s in collect("lstm", [tmp_path / "a", tmp_path / "b"])] == ["alice", "alice (2)"]


def test_shards_partition_the_submissions() -> None:
    names = [f"student{i}" for i in range(200)]
    shards = [[n for n in names if in_shard(n, index, 3)] for index in (1, 2, 3)]
    assert sorted(n for shard in shards for n in shard) == sorted(names) and all(len(shard) > 40 for shard in shards)


# --- reports (no grading) -------------------------------------------------------------------------


def sample_report() -> BatchReport:
    report = BatchReport("lstm", 7)
    test = {"name": "t1", "passed": False, "stage": "value", "diagnosis": ["gate-order"],
            "message": "Called lstm_forward(...)\nwrong values \x00 <b>"}  # fmt: skip
    report.add(BatchRow("<script>alert(1)</script>", "x.py", True, False, 0, 2, ["gate-order"], None, 0.2, "seccomp",
                        [test, {**test, "name": "t2", "stage": "timeout", "diagnosis": []}]))  # fmt: skip
    report.add(BatchRow("bob", "bob.py", True, True, 2, 2, [], None, 0.1, "seccomp",
                        [{**test, "passed": True, "diagnosis": []}, {**test, "name": "t2", "passed": True}]))  # fmt: skip
    report.add(BatchRow("carol", "carol.py", False, False, error="carol.py is not UTF-8 text."))
    return report


def test_junit_is_valid_against_the_schema_ci_servers_read() -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "fixtures" / "junit" / "junit.xsd"))
    text = reports.to_junit(sample_report())
    schema.validate(text)
    assert '<failure type="value"' in text and '<error type="timeout"' in text and '<error type="ungraded"' in text
    assert "\x00" not in text
    assert not schema.is_valid(text.replace('tests="2" failures="1" errors="1"', 'failures="1" errors="1"', 1))


def test_csv_reads_back_as_the_gradebook() -> None:
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(sample_report()))))
    assert [r["submission"] for r in rows] == ["<script>alert(1)</script>", "bob", "carol"]
    assert rows[0]["diagnosis"] == "gate-order" and rows[0]["score"] == "0.0000" and rows[1]["score"] == "1.0000"
    assert rows[2]["graded"] == "False" and rows[2]["error"] == "carol.py is not UTF-8 text."


def test_html_escapes_what_submissions_wrote_and_counts_mistakes() -> None:
    page = reports.to_html(sample_report())
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;" in page and "1 of 1" in page and "50%" in page


def test_json_round_trips_and_merge_refuses_other_runs() -> None:
    report = sample_report()
    again = BatchReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again.to_dict() == report.to_dict() and again.done() == {"<script>alert(1)</script>", "bob"}
    with pytest.raises(ValueError, match="share the kata and the seed"):
        merge([report, BatchReport("lstm", 8)])
    with pytest.raises(ValueError, match="more than one report"):
        merge([report, report])


def test_without_kernel_isolation_the_run_refuses_unless_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rnnprep.cli import cli

    monkeypatch.setattr("rnnprep.grading.check.kernel_confinement_expected", lambda: False)
    monkeypatch.setattr("rnnprep.sandbox.confine.landlock_abi", lambda: 0)
    result = CliRunner().invoke(cli, ["grade", "lstm", str(tmp_path)])
    assert result.exit_code == 2 and "runs other people's code" in result.output
    assert "Landlock" in result.output and "--unsafe-no-isolation" in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2_before_grading(tmp_path: Path) -> None:
    assert grade("lstm", tmp_path, "--shard", "3/2").returncode == 2
    unseeded = grade("lstm", tmp_path, "--shard", "1/2")
    assert unseeded.returncode == 2 and "same --seed" in unseeded.stderr
    missing_folder = grade("lstm", tmp_path, "--csv", tmp_path / "no" / "grades.csv")
    assert missing_folder.returncode == 2 and "does not exist" in missing_folder.stderr
    not_a_report = write(tmp_path / "r.json", "[]")
    resumed = grade("lstm", tmp_path, "--resume", not_a_report)
    assert resumed.returncode == 2 and "not a report" in resumed.stderr and "Traceback" not in resumed.stderr


# --- end to end ---------------------------------------------------------------------------------


@KERNEL
def test_a_class_with_a_hanging_and_a_hostile_submission(tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    write(tmp_path / "class" / "a_right.py", SOLUTION)
    write(tmp_path / "class" / "b_hangs.py", HANGS)
    write(tmp_path / "class" / "c_hostile.py", f"MARKER = {str(marker)!r}\n" + HOSTILE)
    write(tmp_path / "class" / "d_gate_order.py", GATE_ORDER)
    (tmp_path / "class" / "e_latin1.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    write(tmp_path / "class" / "f_right.py", SOLUTION)
    out = tmp_path / "out"
    out.mkdir()
    run = grade("lstm", tmp_path / "class", "-j", "2", "--seed", "3", "--timeout", "1.5", "--json", out / "r.json",
                "--csv", out / "r.csv", "--junit", out / "r.xml", "--html", out / "r.html")  # fmt: skip
    assert run.returncode == 1, run.stderr  # one submission could not be graded
    rows = rows_of(out / "r.json")
    assert rows["a_right"]["passed"] and rows["f_right"]["passed"]
    assert not rows["b_hangs"]["passed"] and rows["b_hangs"]["tests"][0]["stage"] == "timeout"
    assert not rows["c_hostile"]["passed"] and rows["c_hostile"]["graded"] and not marker.exists()
    assert rows["d_gate_order"]["diagnosis"][0] == "gate-order"
    assert not rows["e_latin1"]["graded"] and "not UTF-8" in rows["e_latin1"]["error"]
    assert "6 submissions · 5 graded · 2 passed (40%)" in run.stdout and "gate-order" in run.stdout
    assert {r["submission"] for r in csv.DictReader((out / "r.csv").open())} == set(rows)
    assert "d_gate_order" in (out / "r.html").read_text() and "testsuite" in (out / "r.xml").read_text()


@KERNEL
def test_ctrl_c_keeps_what_finished_and_resume_grades_the_rest(tmp_path: Path) -> None:
    for i in range(8):
        write(tmp_path / "class" / f"s{i}.py", SOLUTION if i % 2 else GATE_ORDER)
    report = tmp_path / "run.json"
    command = [sys.executable, "-m", "rnnprep", "grade", "lstm", str(tmp_path / "class"), "-j", "1", "--json", str(report)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (report.exists() and len(rows_of(report)) >= 2):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    first = rows_of(report)
    assert 2 <= len(first) < 8 and "--resume" in err
    seed = json.loads(report.read_text())["seed"]
    resumed = grade("lstm", tmp_path / "class", "-j", "2", "--resume", report)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(first)} already in {report})" in resumed.stderr
    final = rows_of(report)
    assert sorted(final) == [f"s{i}" for i in range(8)] and json.loads(report.read_text())["seed"] == seed
    assert all(final[name] == row for name, row in first.items())  # kept, not graded again
    assert [final[f"s{i}"]["passed"] for i in range(8)] == [bool(i % 2) for i in range(8)]


@KERNEL
def test_shards_merged_equal_the_unsharded_run(tmp_path: Path) -> None:
    for i in range(6):
        write(tmp_path / "class" / f"p{i}.py", SOLUTION if i % 3 else GATE_ORDER)
    archive = tmp_path / "class.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", tmp_path, "class")
    whole = grade("lstm", archive, "--seed", "11", "--json", tmp_path / "whole.json")
    assert whole.returncode == 0, whole.stderr
    for index in (1, 2):
        shard = grade("lstm", archive, "--seed", "11", "--shard", f"{index}/2", "--json", tmp_path / f"s{index}.json")
        assert shard.returncode == 0, shard.stderr
    merged = grade("merge", tmp_path / "s1.json", tmp_path / "s2.json", "--json", tmp_path / "merged.json")
    assert merged.returncode == 0, merged.stderr

    def comparable(path: Path) -> dict[str, dict]:
        return {name: {k: v for k, v in row.items() if k != "seconds"} for name, row in rows_of(path).items()}

    assert comparable(tmp_path / "merged.json") == comparable(tmp_path / "whole.json")
    assert len(rows_of(tmp_path / "s1.json")) + len(rows_of(tmp_path / "s2.json")) == 6
