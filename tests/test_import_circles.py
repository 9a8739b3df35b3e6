"""No file imports itself back through other files.

A circle between files means neither can be read, tested or changed without the
other, and which one Python finishes first depends on who imported first. The
layer contracts of ``lint-imports`` see packages, not files; this test sees
every file of the packages it checks (the ``root_packages`` of pyproject.toml),
with grimp, the import graph ``lint-imports`` is built on. Imports made only
for the type checker count: they tie the files together all the same.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import tomli

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["root_packages"]

# Being removed (issue 21: a DeliveryStore protocol and a factory); do not add to this.
KNOWN = {frozenset({"bot.core.dedup", "bot.core.dedup_redis"})}


def circles(*packages: str) -> list[list[str]]:
    """Each group of files that import one another, directly or through others."""
    graph = grimp.build_graph(*packages, include_external_packages=False, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    found: list[list[str]] = []
    seen: set[str] = set()
    for module in sorted(imports):
        if module in seen:
            continue
        reaches = _reachable(module, imports)
        group = sorted(m for m in reaches if module in _reachable(m, imports))
        seen.update(group)
        if len(group) > 1:
            found.append(group)
    return found


def _reachable(start: str, imports: dict[str, set[str]]) -> set[str]:
    reached, todo = {start}, [start]
    while todo:
        for imported in imports[todo.pop()]:
            if imported not in reached:
                reached.add(imported)
                todo.append(imported)
    return reached


def test_no_file_of_the_project_imports_itself_back():
    found = [group for group in circles(*PACKAGES) if frozenset(group) not in KNOWN]
    assert found == []


def test_a_circle_through_a_third_file_or_for_types_only_is_found(tmp_path, monkeypatch):
    package = tmp_path / "circular"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circular import b\n")
    (package / "b.py").write_text("from circular.c import X\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from circular import a\nX = 1\n"
    )
    (package / "alone.py").write_text("from circular import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert circles("circular") == [["circular.a", "circular.b", "circular.c"]]
