"""YAML read with the line of every mapping, key and list item, for editors' reports.

``LineLoader`` is PyYAML's safe loader that also keeps those lines and the
keys written twice; ``load`` reads with it, on libyaml's parser when PyYAML
has it (fifteen times faster: content/ in 0.2 s, not 3), and again on the
pure-Python one when the text is not valid YAML, whose messages
``syntax_problem`` knows; ``syntax_problem`` tells a YAML syntax error in the
editor's words, with the line and column to look at.
"""

from __future__ import annotations

from typing import Any

import yaml

from curated.problems import Problem


class _Node(dict):
    """A YAML mapping that remembers its line, the line of each key, and repeated keys."""

    line: int = 0
    key_lines: dict[str, int]
    duplicates: list[tuple[str, int]]


class _Seq(list):
    """A YAML list that remembers the line of each item."""

    lines: list[int]


class LineLoader(yaml.SafeLoader):
    """Safe YAML, plus lines; keys are always text; an impossible date stays text."""


def _mapping(loader: LineLoader, node: yaml.MappingNode) -> _Node:
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.duplicates = {}, []
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicates.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _sequence(loader: LineLoader, node: yaml.SequenceNode) -> _Seq:
    sequence = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _timestamp(loader: LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2027-02-30: reported as "not a date", not a crash
        return node.value


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """``LineLoader`` on libyaml's parser: the same values, lines and repeated keys."""


for _loader in (LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load(text: str) -> Any:
    """``text`` read with lines; a ``yaml.YAMLError`` as the pure-Python parser words it."""
    try:
        return yaml.load(text, Loader=_FastLineLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=LineLoader)  # raises, in the words syntax_problem reads


# Words of PyYAML's error -> the kind of mistake, told in the editor's words.
_YAML_MISTAKES = (
    ("flow mapping", "yaml_unclosed_bracket"),
    ("flow sequence", "yaml_unclosed_bracket"),
    ("quoted scalar", "yaml_unclosed_quote"),
    ("'\\t'", "yaml_tab"),
    ("mapping values are not allowed", "yaml_colon"),
    ("expected <block end>", "yaml_indentation"),
)


def syntax_problem(file: str, error: yaml.YAMLError) -> Problem:
    said = f"{getattr(error, 'context', '') or ''} {getattr(error, 'problem', '') or ''}"
    code = next((code for words, code in _YAML_MISTAKES if words in said), "yaml_syntax")
    opened_at = getattr(error, "context_mark", None)  # where the unclosed bracket or quote starts
    mark = (
        opened_at
        if code in ("yaml_unclosed_bracket", "yaml_unclosed_quote") and opened_at
        else None
    )
    mark = mark or getattr(error, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem.of(code, file, line, "(file)", column=column)
