"""A check result as a compact HTML table, for Jupyter's rich display.

The verdict on top; one row per hidden test (failures with their first line, the rest of the
message folded); then the likely mistake with its idea and fix, where the output first
diverges, and the quiz questions to review. Inline styles only, every text escaped: it is
one fragment that renders the same in JupyterLab, VS Code and Colab.
"""

from __future__ import annotations

import html

from rnnprep.grading.types import CheckResult, TestOutcome

STYLE = """<style>
.rnnprep-check { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px;
  line-height: 1.4; max-width: 920px; color: #1d2329; }
.rnnprep-check .verdict { font-weight: 600; font-size: 15px; padding: 6px 10px; border-radius: 6px; margin: 4px 0 8px; }
.rnnprep-check .pass { background: #e6f4ea; color: #1e7e34; }
.rnnprep-check .fail { background: #fdecea; color: #b52a25; }
.rnnprep-check .facts { font-weight: 400; color: #5b6670; font-size: 13px; }
.rnnprep-check table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
.rnnprep-check td, .rnnprep-check th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e6eaee;
  vertical-align: top; }
.rnnprep-check th { background: #f4f6f8; font-weight: 600; }
.rnnprep-check .ok { color: #1e7e34; font-weight: 700; } .rnnprep-check .no { color: #b52a25; font-weight: 700; }
.rnnprep-check code { background: #f4f6f8; padding: 0 3px; border-radius: 3px; font-size: 12.5px; }
.rnnprep-check pre { white-space: pre-wrap; background: #f8f9fa; border: 1px solid #e6eaee; border-radius: 6px;
  padding: 6px 8px; font-size: 12.5px; margin: 4px 0; }
.rnnprep-check .box { border-left: 4px solid #d9534f; background: #fff8f7; padding: 6px 10px; margin: 6px 0; }
.rnnprep-check .where { border-left-color: #f0ad4e; background: #fffbf2; }
.rnnprep-check .review { border-left-color: #5b8def; background: #f5f8ff; }
.rnnprep-check summary { cursor: pointer; color: #5b6670; }
</style>"""
ADVICE = ("Likely mistake (", "Review: rnnprep quiz", "Where:")


def _first_line(test: TestOutcome) -> str:
    """The line that says what went wrong (not the call, not the advice)."""
    for line in test.message.splitlines():
        if line.strip() and not line.startswith(("Called ", *ADVICE)):
            return line
    return test.message.splitlines()[0] if test.message else ""


def _row(test: TestOutcome) -> str:
    e = html.escape
    if test.passed:
        return f'<tr><td class="ok">&#10003;</td><td><code>{e(test.name)}</code></td><td>passed</td></tr>'
    body = "\n".join(line for line in test.message.splitlines() if not line.startswith(ADVICE))
    details = f"<details><summary>the whole message</summary><pre>{e(body)}</pre></details>"
    printed = f"<details><summary>your code printed</summary><pre>{e(test.output)}</pre></details>" if test.output.strip() else ""
    named = "".join(f" <code>{e(m)}</code>" for m in test.diagnosis)
    return (f'<tr><td class="no">&#10007;</td><td><code>{e(test.name)}</code><br><small>{e(test.stage.value)}{named}'
            f"</small></td><td>{e(_first_line(test))}{details}{printed}</td></tr>")  # fmt: skip


def _advice(result: CheckResult) -> list[str]:
    """The likely mistake(s), where it first diverges, and what to review."""
    from rnnprep.diagnosis import CATALOGUE

    e = html.escape
    parts = []
    for mistake in result.diagnosis[:3]:
        known = CATALOGUE.get(mistake)
        if known is None:
            continue
        parts.append(f'<div class="box"><b>Likely mistake: {e(known.title)}</b> <code>{e(known.id)}</code><br>'
                     f"{e(known.explanation)}<br><b>Fix:</b> {e(known.fix)}</div>")  # fmt: skip
    wheres = list(dict.fromkeys(line.removeprefix("Where:").strip() for t in result.tests if not t.passed
                                for line in t.message.splitlines() if line.startswith("Where:")))  # fmt: skip
    if wheres:
        parts.append(f'<div class="box where"><b>Where it first diverges:</b> {e(wheres[0])}</div>')
    quiz = list(dict.fromkeys(q for m in result.diagnosis if m in CATALOGUE for q in CATALOGUE[m].quiz_ids))
    if quiz:
        ids = " ".join(f"--id {q}" for q in quiz[:4])
        parts.append(f'<div class="box review"><b>Review:</b> <code>rnnprep quiz {e(ids)}</code></div>')
    return parts


def result_html(result: CheckResult, warning: str | None = None) -> str:
    """The whole fragment."""
    e = html.escape
    done = sum(t.passed for t in result.tests)
    facts = f"seed {result.seed} · isolation: {result.isolation} · {result.seconds:.1f} s"
    if result.passed:
        verdict = f'<div class="verdict pass">{e(result.kata)}: all {done} tests passed <span class="facts">· {e(facts)}</span></div>'
    else:
        count = f"{done} of {result.expected_tests} tests passed" if result.tests else "not graded"
        verdict = f'<div class="verdict fail">{e(result.kata)}: FAILED ({e(count)}) <span class="facts">· {e(facts)}</span></div>'
    parts = [STYLE, '<div class="rnnprep-check">', verdict]
    if result.error:
        parts.append(f"<pre>{e(result.error)}</pre>")
    if result.tests:
        parts.append("<table><tr><th></th><th>test</th><th>result</th></tr>")
        parts += [_row(test) for test in result.tests]
        parts.append("</table>")
    if not result.passed:
        parts += _advice(result)
    if result.output.strip():
        parts.append(f"<details><summary>your cell printed</summary><pre>{e(result.output)}</pre></details>")
    if warning:
        parts.append(f"<p><b>Warning:</b> {e(warning)}</p>")
    parts.append(f'<p class="facts">Replay these cases: <code>check({e(repr(result.kata))}, ..., seed={result.seed})</code></p>')
    parts.append("</div>")
    return "\n".join(parts)
