"""Problems found in content: hard errors stop loading, warnings are reported by ``check``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bot.content.model import Location

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, at a file and line."""

    where: Location
    message: str
    severity: Severity = "error"
    #: A short machine-readable code, e.g. ``stale`` or ``confidence``, for filtering.
    code: str = ""

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.where}: {prefix}{self.message}"

    def under(self, root: Path) -> Problem:
        """The same problem with its file named from ``root`` (the content folder)."""
        return replace(self, where=Location(str(root / self.where.file), self.where.line))


class ContentError(Exception):
    """Content that cannot be loaded: every hard error found, each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.where.file, p.where.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
