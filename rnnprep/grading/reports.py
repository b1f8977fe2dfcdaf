"""The outputs of a batch: a gradebook CSV, JUnit XML, a class report in HTML, a terminal summary.

All of them are views of one BatchReport (the --json form is BatchReport.to_dict). Text that
comes from submissions (names, printed output, messages that quote code) is escaped for
each format: the HTML report runs no script and shows every submission's text as text.
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone

from rnnprep.grading.batch import BatchReport, BatchRow

FAILURE_STAGES = {"structure", "shape", "value", "dtype"}  # an answer came back and was wrong
CSV_COLUMNS = ("submission", "file", "graded", "passed", "tests_passed", "tests_total", "score",
               "diagnosis", "error", "seconds")  # fmt: skip
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def mistake_title(mistake: str) -> str:
    """The catalogue's title of a mistake id ('' for an id it does not know)."""
    from rnnprep.diagnosis import CATALOGUE

    known = CATALOGUE.get(mistake)
    return known.title if known else ""


def first_line(text: str | None) -> str:
    """The first line of a message (gradebooks want one line)."""
    return (text or "").strip().split("\n", 1)[0]


# --- CSV -----------------------------------------------------------------------------------------


def to_csv(report: BatchReport) -> str:
    """One row per submission, in name order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(report.rows, key=lambda r: r.submission):
        writer.writerow({
            "submission": row.submission, "file": row.file, "graded": row.graded, "passed": row.passed,
            "tests_passed": row.tests_passed, "tests_total": row.tests_total,
            "score": f"{row.tests_passed / row.tests_total:.4f}" if row.tests_total else "",
            "diagnosis": ";".join(row.diagnosis), "error": first_line(row.error), "seconds": row.seconds,
        })  # fmt: skip
    return buffer.getvalue()


# --- JUnit XML -----------------------------------------------------------------------------------


def _xml_text(text: str | None) -> str:
    """Text XML 1.0 can hold (control characters a submission printed are dropped)."""
    return XML_INVALID.sub("", text or "")


def to_junit(report: BatchReport) -> str:
    """JUnit XML: a testsuite per submission, a testcase per hidden test.

    Wrong answers are <failure>s; exceptions, timeouts and crashes are <error>s; a submission
    that could not be graded, or whose file did not load, is one <error> testcase.
    """
    root = ET.Element("testsuites", name=f"rnnprep grade {report.kata}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    for row in sorted(report.rows, key=lambda r: r.submission):
        suite = ET.SubElement(root, "testsuite", name=_xml_text(row.submission), timestamp=stamp,
                              file=_xml_text(row.file), time=f"{row.seconds:.3f}")  # fmt: skip
        properties = ET.SubElement(suite, "properties")
        for name, value in (("kata", report.kata), ("seed", str(report.seed)),
                            ("diagnosis", ",".join(row.diagnosis)), ("isolation", row.isolation)):  # fmt: skip
            ET.SubElement(properties, "property", name=name, value=_xml_text(value))
        counts = _junit_cases(suite, report.kata, row)
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", str(counts["errors"]))
        suite.set("skipped", "0")
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_cases(suite: ET.Element, kata: str, row: BatchRow) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0}
    classname = f"{kata}.{row.submission}"
    if not row.tests:  # ungraded, or the file did not load: one error says why
        case = ET.SubElement(suite, "testcase", classname=_xml_text(classname), name="load")
        if row.passed:
            counts["tests"] += 1
            return counts
        kind = "ungraded" if not row.graded else "load"
        ET.SubElement(case, "error", type=kind, message=_xml_text(first_line(row.error))).text = _xml_text(row.error)
        return {"tests": 1, "failures": 0, "errors": 1}
    for test in row.tests:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(classname), name=_xml_text(test["name"]))
        counts["tests"] += 1
        if test["passed"]:
            continue
        tag = "failure" if test["stage"] in FAILURE_STAGES else "error"
        counts["failures" if tag == "failure" else "errors"] += 1
        message = _xml_text(first_line(test["message"]))
        ET.SubElement(case, tag, type=test["stage"], message=message).text = _xml_text(test["message"])
    if row.error:  # the check as a whole failed after its tests (e.g. the suite could not run)
        case = ET.SubElement(suite, "testcase", classname=_xml_text(classname), name="check")
        ET.SubElement(case, "error", type="check", message=_xml_text(first_line(row.error))).text = _xml_text(row.error)
        counts["tests"] += 1
        counts["errors"] += 1
    return counts


# --- terminal summary ----------------------------------------------------------------------------


def summary_lines(report: BatchReport, style: Callable[..., str] = lambda text, **_: text) -> list[str]:
    """The class report in a few lines: pass rate, mistakes, the tests that fail most."""
    s = report.summary()
    rate = f" ({s['pass_rate']:.0%})" if s["pass_rate"] is not None else ""
    isolation = ", ".join(s["isolation"]) or "none"
    lines = [style(f"{report.kata}: {s['submissions']} submissions · {s['graded']} graded · "
                   f"{s['passed']} passed{rate} · {s['failed']} failed · {s['ungraded']} ungraded · "
                   f"seed {report.seed} · isolation: {isolation}", bold=True)]  # fmt: skip
    if s["mistakes"]:
        lines.append(f"Mistakes diagnosed among the {s['failed']} failing submissions:")
        width = max(map(len, s["mistakes"]))
        for mistake, count in list(s["mistakes"].items())[:8]:
            lines.append(f"  {mistake:<{width}}  {count:>3} of {s['failed']}  {mistake_title(mistake)}")
    if s["failing_tests"]:
        most = ", ".join(f"{name} ({count})" for name, count in list(s["failing_tests"].items())[:5])
        lines.append(f"Tests failing most: {most}")
    ungraded = [r for r in report.rows if not r.graded]
    for row in sorted(ungraded, key=lambda r: r.submission)[:10]:
        lines.append(style(f"  ungraded: {row.submission}: {first_line(row.error)}", fg="yellow"))
    if len(ungraded) > 10:
        lines.append(f"  ... and {len(ungraded) - 10} more ungraded (see the JSON or CSV report)")
    return lines


# --- HTML class report -----------------------------------------------------------------------------

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #1d2329; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #5b6670; } .cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #d8dee4; border-radius: 8px; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e6eaee; vertical-align: top; }
th { background: #f4f6f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #e6eaee; border-radius: 4px; height: .9rem; min-width: 12rem; }
.bar span { display: block; height: 100%; border-radius: 4px; background: #d9534f; }
.bar.tests span { background: #f0ad4e; }
.pass { color: #1e7e34; font-weight: 600; } .fail { color: #b52a25; font-weight: 600; }
.ungraded { color: #8a6d3b; font-weight: 600; }
code { background: #f4f6f8; padding: 0 .25rem; border-radius: 3px; }
details { margin: .2rem 0; } summary { cursor: pointer; }
pre { white-space: pre-wrap; background: #f8f9fa; border: 1px solid #e6eaee; border-radius: 6px;
      padding: .5rem .7rem; font-size: 13px; }
"""


def _bar(count: int, total: int, kind: str = "") -> str:
    width = 100 * count / total if total else 0
    return f'<div class="bar {kind}"><span style="width:{width:.1f}%"></span></div>'


def to_html(report: BatchReport) -> str:
    """One self-contained page: pass rate, mistakes, the tests that fail most, every submission."""
    e = html.escape
    s = report.summary()
    rate = f"{s['pass_rate']:.0%}" if s["pass_rate"] is not None else "n/a"
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>rnnprep grade {e(report.kata)}: class report</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Class report: <code>{e(report.kata)}</code></h1>",
        f'<p class="meta">seed {report.seed} · every submission graded on the same cases · isolation: '
        f"{e(', '.join(s['isolation']) or 'none')}"
        f"{' · shard ' + e(report.shard) if report.shard else ''}</p>",
        '<div class="cards">',
        f'<div class="card"><b>{rate}</b>pass rate</div>',
        f'<div class="card"><b>{s["passed"]} / {s["graded"]}</b>passed / graded</div>',
        f'<div class="card"><b>{s["failed"]}</b>failing</div>',
        f'<div class="card"><b>{s["ungraded"]}</b>ungraded</div>',
        "</div>",
    ]
    parts += _mistake_section(s)
    parts += _failing_tests_section(s)
    parts += _submissions_section(report)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _mistake_section(s: dict[str, object]) -> list[str]:
    e = html.escape
    mistakes: dict[str, int] = s["mistakes"]  # type: ignore[assignment]
    failed: int = s["failed"]  # type: ignore[assignment]
    parts = ["<h2>Mistakes the class made</h2>"]
    if not mistakes:
        return [*parts, "<p>No mistake was diagnosed" + (" (every graded submission passed)." if not failed else ".") + "</p>"]
    parts.append("<table><tr><th>mistake</th><th>what it is</th><th class=num>failing submissions</th><th></th></tr>")
    for mistake, count in mistakes.items():
        parts.append(f"<tr><td><code>{e(mistake)}</code></td><td>{e(mistake_title(mistake))}</td>"
                     f"<td class=num>{count} of {failed}</td><td>{_bar(count, failed)}</td></tr>")  # fmt: skip
    return [*parts, "</table>"]


def _failing_tests_section(s: dict[str, object]) -> list[str]:
    e = html.escape
    tests: dict[str, int] = s["failing_tests"]  # type: ignore[assignment]
    graded: int = s["graded"]  # type: ignore[assignment]
    parts = ["<h2>Tests that fail most</h2>"]
    if not tests:
        return [*parts, "<p>No hidden test failed.</p>"]
    parts.append("<table><tr><th>test</th><th class=num>submissions failing it</th><th></th></tr>")
    for name, count in list(tests.items())[:12]:
        parts.append(f"<tr><td><code>{e(name)}</code></td><td class=num>{count} of {graded}</td>"
                     f"<td>{_bar(count, graded, 'tests')}</td></tr>")  # fmt: skip
    return [*parts, "</table>"]


def _submissions_section(report: BatchReport) -> list[str]:
    e = html.escape
    parts = ["<h2>Submissions</h2>", "<table><tr><th>submission</th><th>result</th><th class=num>tests</th>"
             "<th>diagnosis</th><th>details</th></tr>"]  # fmt: skip
    for row in sorted(report.rows, key=lambda r: r.submission):
        if not row.graded:
            result = '<span class="ungraded">ungraded</span>'
        else:
            result = '<span class="pass">passed</span>' if row.passed else '<span class="fail">failed</span>'
        tests = f"{row.tests_passed} / {row.tests_total}" if row.graded else ""
        diagnosis = " ".join(f"<code>{e(m)}</code>" for m in row.diagnosis)
        parts.append(f'<tr id="{e(_anchor(row.submission))}"><td>{e(row.submission)}<br>'
                     f'<small class="meta">{e(row.file)}</small></td><td>{result}</td>'
                     f"<td class=num>{tests}</td><td>{diagnosis}</td><td>{_details(row)}</td></tr>")  # fmt: skip
    return [*parts, "</table>"]


def _details(row: BatchRow) -> str:
    e = html.escape
    blocks = []
    if row.error:
        blocks.append(f"<pre>{e(row.error)}</pre>")
    failing = [t for t in row.tests if not t["passed"] and t["stage"] != "not-run"]
    not_run = sum(t["stage"] == "not-run" for t in row.tests)
    for test in failing[:20]:
        blocks.append(f"<details><summary><code>{e(test['name'])}</code> ({e(test['stage'])})</summary>"
                      f"<pre>{e(test['message'])}</pre></details>")  # fmt: skip
    if len(failing) > 20:
        blocks.append(f"<p>... and {len(failing) - 20} more failing tests (see the JSON report).</p>")
    if not_run:
        blocks.append(f"<p>{not_run} more test{'s' * (not_run != 1)} did not run: the check stopped there.</p>")
    return "".join(blocks) or "all tests passed"


def _anchor(name: str) -> str:
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)

