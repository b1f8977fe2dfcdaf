"""One-paragraph messages for everything that can happen to a submission besides a comparison.

They name the file and line at fault (from the traceback frames the child sent, which are
untrusted text, only ever shown), say what happened, and say what to do.
"""

from __future__ import annotations

import difflib
from typing import Any

from rnnprep.grading.spec import Case

UNREADABLE = (
    "The submission's process returned an unreadable report ({detail}), so this cannot count "
    "as a pass. A kata file must only compute and return values: does it write to file "
    "descriptors or replace the grader's pipes?"
)


def where(frames: list[dict[str, Any]], name: str) -> str:
    """' at lstm.py line 23 in lstm_forward: `...`', plus the caller's line when there is one."""
    if not frames:
        return ""
    last = frames[-1]
    text = f" at {name} line {last.get('line')} in {last.get('function')}: `{last.get('text', '')}`"
    if len(frames) > 1:
        outer = frames[-2]
        text += f" (called from line {outer.get('line')} in {outer.get('function')})"
    return text


def raised(case: Case, error: dict[str, Any], name: str) -> str:
    """The call, the exception, and the line of the submission."""
    kind, text, frames = error.get("type", "Exception"), error.get("message", ""), error.get("frames") or []
    target = case.call.method or case.call.target
    at = where(frames, name)
    head = case.called()
    if kind == "NotImplementedError":
        return (
            f"{head} It raised NotImplementedError{at}: this is still the starter. "
            f"Replace `raise NotImplementedError` with your implementation."
        )
    if kind == "SystemExit":
        return f"{head} It called sys.exit() ({text}){at}. A kata function must return its result, not exit."
    if kind == "MemoryError":
        return (
            f"{head} It ran out of memory{at}: the grader allows 2 GiB. Look for an array far "
            f"larger than the inputs (an outer product, a (T, T, ...) buffer)."
        )
    if kind == "PermissionError" and "not permitted" in text.lower():
        return (
            f"{head} {target} raised PermissionError: {text}{at}. The grader lets a kata compute, "
            f"not start processes, open files for writing or use the network."
        )
    if not frames and kind == "TypeError":
        return (
            f"{head} It could not be called: TypeError: {text}. The contract is "
            f"{case.call.contract()}: keep the parameters in that order."
        )
    return f"{head} {target} raised {kind}: {text}{at}."


def timed_out(case: Case, timeout: float) -> str:
    """The test during which the time ran out."""
    return (
        f"{case.called()}\nTimed out after {timeout:g} s during this test (the time counts your "
        f"file's import and every call). Look for a loop that never ends (a while loop whose "
        f"condition never changes, or a range over the wrong size), or work that grows far "
        f"faster than the inputs."
    )


def crashed(case: Case, ended: str) -> str:
    """The test during which the child died."""
    return (
        f"{case.called()}\nNo result: the submission's process ended ({ended}) during this test. "
        f"A kata function must return; it must not exit the interpreter or crash it."
    )


NOT_RUN = "Not run: the check stopped at an earlier test."


def load_problem(name: str, error: dict[str, Any] | None, problem: str | None, timeout: float) -> str:
    """One paragraph for a file that could not be loaded (so nothing was graded)."""
    if problem is not None:
        if problem == "timeout":
            if timeout < 0.5:
                return (
                    f"Timed out after {timeout:g} s while loading {name}: that limit is shorter "
                    f"than loading any file takes. Use --timeout 1 or more; nothing was graded."
                )
            return (
                f"Timed out after {timeout:g} s while loading {name}: code at the top level of "
                f"the file never finished. Move any long computation or loop into the functions."
            )
        if problem.startswith("unreadable"):
            return UNREADABLE.format(detail=problem.removeprefix("unreadable: ")) + " Nothing was graded."
        return (
            f"The submission's process ended ({problem}) before {name} finished loading, so "
            f"nothing was graded. A kata file must only define functions and classes: does it "
            f"call os._exit() or crash the interpreter at import time?"
        )
    error = error or {}
    kind, text, frames = error.get("type", "Exception"), error.get("message", ""), error.get("frames") or []
    at = where(frames, name)
    if kind == "SystemExit":
        return (
            f"{name} called sys.exit() while being imported ({text}){at}. A kata file must only "
            f"define functions and classes; nothing was graded."
        )
    if kind == "ModuleNotFoundError" and any(f in text for f in ("torch", "tensorflow", "jax")):
        return (
            f"{name} tried to import a framework the katas forbid{at}: {text}. Katas are solved "
            f"in NumPy; remove the import. Nothing was graded."
        )
    if kind == "SyntaxError" or kind == "IndentationError":
        return f"{name} has a {kind}{at}: {text}. Fix that line and check again; nothing was graded."
    return (
        f"{name} raised {kind} while being imported{at}: {text}. Code at the top level of the "
        f"file runs on import; fix it so the file imports cleanly. Nothing was graded."
    )


def missing_entry(name: str, missing: list[str], defined: list[str]) -> str:
    """The file does not define the kata's entry point(s)."""
    close = difflib.get_close_matches(missing[0], defined, n=1)
    guess = f" Did you mean {close[0]}? " if close else " "
    found = f"it defines {', '.join(defined)}" if defined else "it defines no functions or classes"
    return (
        f"{name} does not define {' or '.join(missing)} ({found}).{guess}The grader calls "
        f"{missing[0]} exactly as the kata's README shows: keep that exact name."
    )
