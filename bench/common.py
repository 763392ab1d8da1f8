"""What every benchmark shares: latency statistics, tables, the machine, test settings.

Tables are printed as Markdown, so a run's output can be pasted into ``bench/RESULTS.md``
as it is.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
LOCALES_DIR = ROOT / "locales"
#: Every language of ``locales/languages.yaml`` (enabled or not) when the benchmarks
#: enable them all: 13 is the number the issue's targets are set for.
ALL_LANGUAGES_NOTE = "every language of locales/languages.yaml enabled"


@dataclass(frozen=True)
class Latencies:
    """Summary of many timings, in milliseconds."""

    count: int
    mean: float
    p50: float
    p99: float
    max: float
    total_seconds: float

    @classmethod
    def of(cls, nanoseconds: Sequence[int]) -> Latencies:
        """Summarise timings given in nanoseconds (at least one)."""
        if not nanoseconds:
            raise ValueError("no timings to summarise")
        ordered = sorted(nanoseconds)
        total = sum(ordered)
        return cls(
            count=len(ordered),
            mean=total / len(ordered) / 1e6,
            p50=percentile(ordered, 50) / 1e6,
            p99=percentile(ordered, 99) / 1e6,
            max=ordered[-1] / 1e6,
            total_seconds=total / 1e9,
        )

    @property
    def per_second(self) -> float:
        """Updates a second if they ran one after another."""
        return self.count / self.total_seconds if self.total_seconds else 0.0


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile of an ascending sequence."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(rank) - 1]


def ms(value: float) -> str:
    """Milliseconds with a precision that suits their size."""
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def verdict(ok: bool) -> str:
    """How a table says whether a target was met."""
    return "met" if ok else "MISSED"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table under a ``### title`` line, columns padded to line up."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([f"### {title}", "", line(cells[0]), rule, *map(line, cells[1:]), ""])


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what the platform says)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def machine() -> list[tuple[str, str]]:
    """(what, value) pairs describing where the benchmarks ran."""
    import telegram

    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", sys.version.split()[0]),
        ("SQLite", sqlite3.sqlite_version),
        ("python-telegram-bot", telegram.__version__),
    ]


def all_languages_locales(target: Path) -> Path:
    """A copy of ``locales/`` under ``target`` with every language enabled; returns it.

    The shipped registry enables only languages whose catalogs are complete; the targets
    are set for all of them, so the benchmarks load (and users pick) every one. Untranslated
    messages fall back to English, which costs the longest lookup chain.
    """
    copy = target / "locales"
    shutil.copytree(LOCALES_DIR, copy)
    registry = copy / "languages.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        re.sub(r"^(\s*enabled:\s*)false\s*$", r"\1true", text, flags=re.MULTILINE),
        encoding="utf-8",
    )
    return copy


def registered_languages() -> int:
    """How many languages ``locales/languages.yaml`` lists."""
    text = (LOCALES_DIR / "languages.yaml").read_text(encoding="utf-8")
    return len(re.findall(r"^\s*-\s*code:", text, flags=re.MULTILINE))
