"""Content files changed the way people edit them: round-trip YAML, written atomically.

ruamel.yaml keeps comments, key order, quotes and block styles. What it would
still write differently from the file (``parent: null`` as an empty value, an
emoji escaped) is left alone: only the lines that the edit changes in
ruamel's own writing of the file are put into the original text
(``edited_text``), so the saved file differs from the original only where
the change is. The file is written to a temporary file beside it, then
renamed over it, so a reader (the live reload) never sees half a file.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import secrets
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString


class NotEditable(ValueError):
    """The file cannot be changed line by line (its YAML is written unusually): edit it by hand."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # one per use: a YAML object is not safe across threads
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)  # the layout of content/
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def load(text: str) -> Any:
    return _yaml().load(text)


def dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def edited_text(original: str, unchanged: str, document: Any) -> str:
    """``original`` with the lines ``document`` (loaded from it, then changed) changes;
    ``unchanged``: ruamel's writing of the document before the change."""
    before = unchanged.splitlines(keepends=True)
    after = dump(document).splitlines(keepends=True)
    lines = original.splitlines(keepends=True)
    if len(before) != len(lines):
        raise NotEditable("round trip changes the number of lines")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out.extend(lines[i1:i2] if tag == "equal" else after[j1:j2])
    return "".join(out)


def styled(old: Any, new: str) -> Any:
    """``new`` written in the style of the value it replaces (literal block, quotes...)."""
    if isinstance(old, str) and type(old) is not str:
        return type(old)(new)
    if "\n" in new:
        return LiteralScalarString(new)
    return new


def write_atomically(path: Path, text: str) -> None:
    """``text`` in ``path``: written beside it, flushed, then renamed over it."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


_ITEM = re.compile(r"""^(\s*)- id:\s*['"]?([a-z0-9][a-z0-9_-]*)['"]?\s*(#.*)?$""")


def entry_lines(text: str, list_key: str, entry_id: str) -> tuple[int, int] | None:
    """The lines [start, end) of the item ``- id: entry_id`` of the top-level list
    ``list_key``, up to the next item or top-level key; None when it is not written so."""
    lines = text.splitlines(keepends=True)
    in_list, indent, start = False, None, None
    for number, line in enumerate(lines):
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            if start is not None:
                return start, number
            in_list = line.rstrip() == f"{list_key}:"
            continue
        found = _ITEM.match(line) if in_list else None
        if found and (indent is None or found[1] == indent):
            indent = found[1]
            if start is not None:
                return start, number
            if found[2] == entry_id:
                start = number
    return (start, len(lines)) if start is not None else None
