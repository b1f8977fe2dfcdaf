"""Fair matching of short free-text answers: the same term in other words, or with a typo.

A typed answer matches an accepted one when, after normalising both (case, whitespace,
punctuation, hyphens as spaces, a trailing parenthetical such as "(CEC)", a leading
article), they are equal, equal without spaces ("backprop" / "back prop"), or equal word
by word up to small typos. A typo is one edit (insert, delete, substitute, swap two
neighbours) in a word of 5 to 7 letters, two in a longer word, and only a missing or
doubled letter in a 4-letter word ("gelu" is not "relu"); shorter words, numbers and
acronyms must be exact. So "constant error carousel (CEC)", "back-propagation through
time" and "parralel scan" are accepted, while "spectral norm" is not "spectral radius",
"professor forcing" is not "teacher forcing" and "BPTT" is not "TBPTT".

Code answers match by structure: `x.detach()` and `hidden.detach()` are the same call.
"""

from __future__ import annotations

import re
import unicodedata

ARTICLES = ("a ", "an ", "the ")
_CALL = re.compile(r"^(?:[a-z_][\w\[\]]*(?:\.[a-z_]\w*)*)?\.([a-z_]\w*)\((.*)\)$")
_PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)\s*$")


def normalise(text: str) -> str:
    """Lower case, one space between words, punctuation and hyphens as spaces, no article."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().strip().strip("`'\"")
    text = re.sub(r"[-_/–—]", " ", text)
    text = re.sub(r"[^\w\s.()+*=<>^]", " ", text)  # keep what code and equations need
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    for article in ARTICLES:
        if text.startswith(article):
            text = text[len(article):]
    return text


def variants(text: str) -> list[str]:
    """The typed text, without a trailing parenthetical, and the parenthetical itself."""
    raw = str(text).strip().rstrip(".")
    found = [raw]
    match = _PARENTHETICAL.search(raw)
    if match and raw[: match.start()].strip():
        found += [raw[: match.start()], match.group(1)]
    return [v for v in dict.fromkeys(normalise(v) for v in found) if v]


def call_key(text: str) -> tuple[str, str] | None:
    """('detach', '') for 'x.detach()' or 'hidden.detach( )'; None when it is not a method call."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).strip().strip("`'\"").casefold())
    match = _CALL.match(compact)
    return (match.group(1), match.group(2)) if match else None


def edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) between two words."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _typo_allowance(word: str) -> int:
    """How many edits a word of the accepted answer tolerates."""
    if len(word) < 4 or any(ch.isdigit() for ch in word):
        return 0
    return 1 if len(word) < 8 else 2


def _typo(mine: str, theirs: str) -> bool:
    """A small typo of `theirs`: 4-letter words forgive a missing or doubled letter only
    (so 'gelu' is not 'relu'), longer words one edit of any kind, 8+ letters two."""
    allowance = _typo_allowance(theirs)
    if allowance == 0:
        return False
    if len(theirs) == 4:
        return abs(len(mine) - len(theirs)) == 1 and edits(mine, theirs) == 1
    return edits(mine, theirs) <= allowance


def words_close(typed: str, accepted: str, acronyms: set[str]) -> bool:
    """Word by word equal, up to the typo allowance of each accepted word."""
    a, b = typed.split(), accepted.split()
    if len(a) != len(b):
        return False
    for mine, theirs in zip(a, b, strict=True):
        if mine == theirs:
            continue
        if theirs in acronyms or not _typo(mine, theirs):
            return False
    return True


def acronyms_of(text: str) -> set[str]:
    """Words written in capitals in an accepted answer (BPTT, CEC): they must match exactly."""
    return {w.casefold() for w in re.findall(r"\b[A-Z][A-Z0-9]{1,}s?\b", str(text))}


def matches(typed: str, accepted: str) -> tuple[bool, bool]:
    """(matches, only through a typo) for one accepted answer."""
    wanted = call_key(accepted)
    if wanted is not None:
        return call_key(typed) == wanted, False
    targets = variants(accepted)
    acronyms = acronyms_of(accepted)
    for mine in variants(typed):
        for target in targets:
            if mine == target or mine.replace(" ", "") == target.replace(" ", ""):
                return True, False
    for mine in variants(typed):
        for target in targets:
            if words_close(mine, target, acronyms):
                return True, True
    return False, False
