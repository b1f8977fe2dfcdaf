"""The `equations:` of katas.yaml: LaTeX rows of an aligned block that typeset (checked with
matplotlib's mathtext), use only commands MathJax and KaTeX both know, keep torch's conventions,
and land in the first cell of the generated notebook."""

from __future__ import annotations

import re

import pytest
from matplotlib.mathtext import MathTextParser

from rnnprep import registry
from rnnprep.notebook import generate

SHIPPED = registry.load().katas  # the shipped katas only, whatever RNNPREP_KATAS says
LINES = [
    (kata.name, number, line) for kata in SHIPPED for number, line in enumerate(kata.equations)
]
LINE_IDS = [f"{name}-{number}" for name, number, _ in LINES]

# Every command the equations may use: each is supported by MathJax 3 (JupyterLab, Colab) and by
# KaTeX (VS Code), and, but for \bmod (see mathtext() below), by matplotlib's mathtext. Extend it
# only with commands all three render.
COMMANDS = {
    r"\ ", r"\!", r"\,", r"\;", r"\_", r"\{", r"\}", r"\|",
    r"\alpha", r"\arg", r"\bmod", r"\cdot", r"\dots", r"\epsilon", r"\exp", r"\frac", r"\geq",
    r"\hat", r"\in", r"\infty", r"\left", r"\leftarrow", r"\leq", r"\log", r"\mathbb", r"\mathcal",
    r"\mathrm", r"\mathtt", r"\max", r"\mid", r"\min", r"\neq", r"\odot", r"\operatorname",
    r"\partial", r"\prime", r"\qquad", r"\quad", r"\right", r"\rightarrow", r"\sigma", r"\sim",
    r"\sqrt", r"\sum", r"\tanh", r"\text", r"\tilde", r"\times", r"\top",
}  # fmt: skip


def mathtext(line: str) -> str:
    """The row as inline mathtext: `$...$` without the alignment `&`.

    mathtext has no \\bmod (MathJax and KaTeX do); for this test only it becomes an upright
    'mod' with the same spacing. Everything else is rendered exactly as written.
    """
    return "$" + line.replace("&", "").replace(r"\bmod", r"\,\mathrm{mod}\,") + "$"


def without_escapes(line: str) -> str:
    """The line with escaped braces (\\{, \\}) and other escaped symbols removed."""
    return re.sub(r"\\[^A-Za-z]", "", line)


def test_every_shipped_kata_has_equations() -> None:
    assert len(SHIPPED) >= 20
    short = [kata.name for kata in SHIPPED if len(kata.equations) < 2]
    assert not short, f"katas with fewer than 2 equation lines: {short}"


@pytest.mark.parametrize(("name", "number", "line"), LINES, ids=LINE_IDS)
def test_each_line_is_one_row_of_an_aligned_block(name: str, number: int, line: str) -> None:
    assert line.strip() == line and line, "no blank lines or surrounding spaces"
    assert "$" not in line, "the generator adds the $$; a $ inside breaks the block"
    assert "\\\\" not in line, "rows are joined by the generator; a \\\\ would start another row"
    assert "\n" not in line
    assert without_escapes(line).count("&") == 1, "exactly one alignment point per row"
    depth = 0
    for char in without_escapes(line):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a } closes nothing"
    assert depth == 0, "unbalanced braces"
    assert len(re.findall(r"\\left\b", line)) == len(re.findall(r"\\right\b", line))
    assert "\\begin" not in line and "\\end" not in line, "no nested environments"


@pytest.mark.parametrize(("name", "number", "line"), LINES, ids=LINE_IDS)
def test_each_line_uses_only_commands_mathjax_and_katex_support(
    name: str, number: int, line: str
) -> None:
    used = set(re.findall(r"\\[A-Za-z]+|\\[^A-Za-z]", line))
    assert used <= COMMANDS, f"not on the list of portable commands: {sorted(used - COMMANDS)}"


@pytest.mark.parametrize(("name", "number", "line"), LINES, ids=LINE_IDS)
def test_each_line_typesets(name: str, number: int, line: str) -> None:
    # The "path" backend lays the whole formula out (glyphs, fractions, sub/superscripts), so an
    # unknown command or a malformed group raises ValueError here.
    width, height, _depth, _glyphs, _rects = MathTextParser("path").parse(mathtext(line))
    assert width > 0 and height > 0


def test_the_lines_draw_into_an_agg_canvas() -> None:
    # A Figure on its own Agg canvas: no pyplot, so no global backend is switched.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines = registry.get("lstm").equations
    figure = Figure(figsize=(14, 0.5 * len(lines)))
    canvas = FigureCanvasAgg(figure)
    for number, line in enumerate(lines):
        figure.text(0.01, 1 - (number + 1) / (len(lines) + 1), mathtext(line))
    canvas.draw()
    assert min(bytes(canvas.buffer_rgba())) < 128  # something dark was drawn


# Conventions torch fixes and a plausible-looking formula gets wrong: pinned per kata.
CONVENTIONS = {
    "rnn_cell": [r"x_t W_{ih}^\top + b_{ih} + h_{\mathrm{prev}} W_{hh}^\top + b_{hh}"],
    "lstm_cell": [r"i &= \sigma(\mathrm{gates}[{:}, 0{:}H])", r"f &= \sigma(\mathrm{gates}[{:}, H{:}2H])",
                  r"g &= \tanh(\mathrm{gates}[{:}, 2H{:}3H])", r"o &= \sigma(\mathrm{gates}[{:}, 3H{:}4H])",
                  r"c_t &= f \odot c_{\mathrm{prev}} + i \odot g", r"h_t &= o \odot \tanh(c_t)"],
    "lstm": [r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t", r"h_t &= o_t \odot \tanh(c_t)"],
    "gru_cell": [r"r \odot (h_{\mathrm{prev}} W_{hn}^\top + b_{hn})", r"h_t &= (1 - z) \odot n + z \odot h_{\mathrm{prev}}"],
    "gru": [r"\tanh(\mathrm{gi}_n + r_t \odot \mathrm{gh}_n)", r"(1 - z_t) \odot n_t + z_t \odot h_{t-1}"],
    "packed_rnn": [r"\tanh(\mathrm{gi}_n + r_t \odot \mathrm{gh}_n)", r"(1 - z_t) \odot n_t + z_t \odot h_{t-1}"],
    "classic_lstm": [r"[\,h_{t-1};\ x_t\,]"],
    "dropout": [r"\frac{x \odot \mathrm{mask}}{1 - p}", r"(u \geq p)"],
    "clip_grad_norm": [r"\min\left(\frac{\mathrm{max\_norm}}{\mathrm{total\_norm} + 10^{-6}},\ 1\right)"],
    "masked_loss": [r"\mathrm{perplexity} &= \exp(\mathrm{loss}_{\mathrm{token}})"],
    "grad_check": [r"{2 \epsilon}"],
    "beam_search": [r"\frac{\mathrm{raw}(y)}{|y|^{\alpha}}"],
    "attention": [r"\frac{q \cdot k_s}{\sqrt{K}}"],
    "seq2seq_attention": [r"\tanh([\,c_t \mid h_t\,] W_c^\top + b_c)"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_the_equations_keep_torchs_conventions(name: str) -> None:
    text = "\n".join(registry.get(name).equations)
    missing = [piece for piece in CONVENTIONS[name] if piece not in text]
    assert not missing, f"{name}: {missing}"


@pytest.mark.parametrize("name", ["lstm", "gru", "attention", "beam_search", "stacked_lstm"])
def test_the_notebooks_first_cell_holds_the_aligned_block(name: str) -> None:
    kata = registry.get(name)
    block = "$$\n\\begin{aligned}\n" + " \\\\\n".join(kata.equations) + "\n\\end{aligned}\n$$"
    text = generate.instructions(kata)
    assert text.count(block) == 1
    assert generate.notebook(kata).cells[0].source == text
    before = [line for line in text[: text.index(block)].split("\n") if line.strip()]
    after = [line for line in text[text.index(block) + len(block) :].split("\n") if line.strip()]
    assert "quation" in [line for line in before if line.startswith("## ")][-1], (
        "in the Equations section"
    )
    if any(
        line.startswith("## ") and "quation" in line for line in kata.readme.read_text().split("\n")
    ):
        # right after the README's first equation block (an indented block), or at the end of
        # the section when it has none (stacked_lstm describes its equations in a list)
        assert before[-1].startswith("    ") or after[0].startswith("## "), before[-1]
    else:  # a README without an Equations section gets one, before its shape table
        assert before[-1] == "## Equations" and after[0] == "## Shapes"


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_the_block_follows_the_first_equation_block(name: str) -> None:
    text = generate.instructions(registry.get(name))
    assert text.index("    output[:, t] = h\n\n$$\n\\begin{aligned}\n") < text.index("## Shapes")
