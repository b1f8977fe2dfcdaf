"""Wrap CLI text (quiz prompts, kata verdicts) to the terminal's width without breaking
code or equations.

A line keeps its indent and its list marker ("  a) ", "  3. "), and its continuation lines
are indented under the text. Spans in backticks never break, nor does an equation: a space
next to an operator (`=`, `+`, `*`, `->`, ...) or inside brackets is not a place to break.
Words are never split. A piece that cannot fit on a line of its own (a long call with its
arguments) is broken at its spaces after all, rather than left to the terminal to cut.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^((?:\x1b\[[0-9;]*m)*\s*(?:[a-z]\)|\d+\.|[-*•✓✗])?\s*)")  # after any colour code
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes take no room on screen


def visible(text: str) -> str:
    """The text without colour codes."""
    return ANSI.sub("", text)


OPERATOR = re.compile(r"^(?:[=+\-*/^<>≤≥≈→←|]+|->|<-|\*\*|:=)$")


def atoms(text: str) -> list[str]:
    """Pieces that must stay on one line, in order (their own spaces kept inside)."""
    pieces: list[str] = []
    depth = 0  # brackets open across words
    tick = False  # inside a `code span`
    glue_next = False
    for word in text.split(" "):
        if not word:
            continue
        seen = visible(word)
        opens = seen.count("(") + seen.count("[") + seen.count("{")
        closes = seen.count(")") + seen.count("]") + seen.count("}")
        is_operator = bool(OPERATOR.match(seen))
        glue = pieces and (depth > 0 or tick or glue_next or is_operator)
        if glue:
            pieces[-1] += " " + word
        else:
            pieces.append(word)
        depth = max(0, depth + opens - closes)
        if seen.count("`") % 2:
            tick = not tick
        glue_next = is_operator
    return pieces


def wrap_line(line: str, width: int) -> list[str]:
    """One line wrapped, its marker's indent repeated for the continuation lines."""
    if len(visible(line)) <= width:
        return [line]
    prefix = MARKER.match(line).group(1)  # type: ignore[union-attr]
    indent = " " * len(visible(prefix))
    room = max(20, width - len(indent))
    lines: list[str] = []
    current = ""
    pieces = [word for atom in atoms(line[len(prefix):])
              for word in (atom.split(" ") if len(visible(atom)) > room else [atom])]
    for piece in pieces:
        if current and len(visible(current)) + 1 + len(visible(piece)) > room:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        lines.append(current)
    return [(prefix if i == 0 else indent) + text for i, text in enumerate(lines)]


def wrap(text: str, width: int | None) -> str:
    """Every line of `text` wrapped to `width` (None: left as it is)."""
    if not width:
        return text
    return "\n".join(part for line in text.split("\n") for part in wrap_line(line, width))
