"""YAML loading that remembers the line of every mapping and key, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LINE = "__line__"  # 1-based line of the mapping itself
KEY_LINES = "__key_lines__"  # key -> 1-based line of that key

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when available


class LineLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that records line numbers in every mapping it builds."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        mapping[KEY_LINES] = {
            self.construct_object(key, deep=True): key.start_mark.line + 1 for key, _ in node.value
        }
        return mapping


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; `line` says where."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def load(path: Path) -> Any:
    """Parse one YAML file with line numbers attached to every mapping."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=LineLoader)  # LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problem = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(f"YAML error: {error}", 0) from None


def key_line(mapping: dict[str, Any], key: str) -> int:
    """The line of `key` in `mapping`, or of the mapping when the key is absent."""
    return int(mapping.get(KEY_LINES, {}).get(key, mapping.get(LINE, 0)))


def strip(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping without the line bookkeeping."""
    return {k: v for k, v in mapping.items() if k not in (LINE, KEY_LINES)}
