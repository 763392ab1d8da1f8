"""Read a package's imports with ``ast`` and check them against a table of allowed arrows.

Used by ``tests/test_architecture.py`` on ``bot/`` and, to prove each rule can fail, on small
trees the tests write. Every import counts: at the top, inside functions (the command line
imports lazily) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported."""

    file: str  # relative to the folder above the package, e.g. bot/engine/engine.py
    line: int
    importer: str  # the importing module, e.g. bot.engine.engine
    module: str  # the imported module, e.g. bot.content.model


@dataclass(frozen=True)
class Rules:
    """The architecture: which parts of the package may import which.

    ``allowed`` maps each part (a sub-package such as ``bot.engine`` or a top-level module such
    as ``bot.loading``) to the parts it may import; ``parts`` lists sub-packages that are
    parts of their own (``bot.engine.render``). ``forbidden`` maps a part to modules it must
    not import even though its arrows would allow them, with the reason. ``external`` maps
    a third-party top-level name to the only part that may import it. ``entry_points`` may
    import ``closed`` parts, which nothing else may.
    """

    package: str
    allowed: Mapping[str, frozenset[str]]
    parts: frozenset[str] = frozenset()
    forbidden: Mapping[str, Mapping[str, str]] | None = None
    external: Mapping[str, str] | None = None
    closed: frozenset[str] = frozenset()
    entry_points: frozenset[str] = frozenset()


def module_name(root: Path, path: Path) -> str:
    """The dotted name of ``path`` (a ``.py`` file below ``root``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, package: str) -> Iterator[Import]:
    """Every import in the package ``root/package`` (relative imports resolved).

    ``from a.b import c`` counts as importing ``a.b.c`` when that is a module of the package
    (so ``from bot.engine import views`` is an import of ``bot.engine.views``), else ``a.b``.
    """
    base = root / package
    for path in sorted(base.rglob("*.py")):
        importer = module_name(root, path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        file = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(file, node.lineno, importer, alias.name)
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(importer, is_package, node.module, node.level)
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    yield Import(file, node.lineno, importer, sub if _exists(root, sub) else module)


def _absolute(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _exists(root: Path, module: str) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def part_of(rules: Rules, module: str) -> str:
    """The part a module of the package belongs to."""
    for part in sorted(rules.parts, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    return ".".join(module.split(".")[:2])


def problems(rules: Rules, found: Iterable[Import]) -> list[str]:
    """Every broken rule, one line each: ``file:line: imports X: rule``."""
    lines: list[str] = []
    arrows: dict[tuple[str, str], Import] = {}
    for imp in found:
        source = part_of(rules, imp.importer)
        top = imp.module.split(".")[0]
        where = f"{imp.file}:{imp.line}: imports {imp.module}"
        if top != rules.package:
            owner = (rules.external or {}).get(top)
            if owner is not None and source != owner:
                lines.append(f"{where}: only {owner} may import {top}")
            continue
        target = part_of(rules, imp.module)
        reason = (rules.forbidden or {}).get(source, {}).get(imp.module)
        if reason is not None:
            lines.append(f"{where}: {source} may not import {imp.module} ({reason})")
            continue
        if target == source:
            continue
        if target in rules.closed and source not in rules.entry_points:
            lines.append(f"{where}: nothing imports {target} (it sits on top of everything)")
            continue
        if source not in rules.allowed:
            lines.append(f"{where}: {source} has no entry in the table of allowed imports")
            continue
        if target not in rules.allowed[source]:
            lines.append(f"{where}: {source} may not import {target} (not in its allowed list)")
            continue
        arrows.setdefault((_folded(source), _folded(target)), imp)
    lines += cycles(arrows)
    return lines


def _folded(part: str) -> str:
    """A part as a package: ``bot.engine.render`` is part of ``bot.engine``."""
    return ".".join(part.split(".")[:2])


def cycles(arrows: Mapping[tuple[str, str], Import]) -> list[str]:
    """A line for each cycle between packages, naming one import of each arrow."""
    graph: dict[str, list[str]] = {}
    for source, target in arrows:
        if source != target:
            graph.setdefault(source, []).append(target)
    found: list[str] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, [])):
                if nxt == start:
                    key = frozenset(path)
                    if key not in reported:
                        reported.add(key)
                        ring = [*path, start]
                        steps = [arrows[(a, b)] for a, b in itertools.pairwise(ring)]
                        shown = "; ".join(f"{i.file}:{i.line} imports {i.module}" for i in steps)
                        found.append(f"import cycle {' -> '.join(ring)}: {shown}")
                elif nxt not in path and nxt > start:
                    stack.append((nxt, [*path, nxt]))
    return found
