"""Start-up: loading and validating the content and catalogs; memory of ``python -m bot run``.

* **Load time** is measured in fresh interpreters (nothing cached in memory), as ``run``
  loads: ``load_content`` (YAML, model, every validation rule) and ``load_translator`` (the
  registry and every enabled catalog, parsed) with every language enabled. Imports are
  timed apart; the median of several processes is shown.
* **Memory**: the real ``python -m bot run`` against the fake Bot API server on 127.0.0.1,
  after one short conversation; peak resident memory (VmHWM) from /proc. Also the time from
  launch to the first getUpdates: everything loaded, storage opened, commands published.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    ALL_LANGUAGES_NOTE,
    CONTENT_DIR,
    LOCALES_DIR,
    ROOT,
    all_languages_locales,
    table,
    verdict,
)
from bench.live import BotProcess, Crowd, ObservedTelegram
from tests.support.fake_telegram import FakeBotApiServer

LOAD_TARGET_SECONDS = 0.5
RSS_TARGET_MB = 100.0

_LOADER = """
import json, sys, time
from pathlib import Path
began = time.perf_counter()
from bot.config import Settings
from bot.content import load_content
from bot.i18n import load_translator
imported = time.perf_counter()
content = load_content(sys.argv[1])
loaded = time.perf_counter()
translator = load_translator(Settings(locales_dir=Path(sys.argv[2])))
done = time.perf_counter()
print(json.dumps({
    "imports": imported - began,
    "content": loaded - imported,
    "catalogs": done - loaded,
    "languages": len(translator.languages),
    "nodes": sum(len(flow.nodes) for flow in content.flows),
    "countries": len(content.countries),
}))
"""


@dataclass(frozen=True)
class Config:
    """How big a run is."""

    #: Fresh processes timing the load (the median is shown).
    processes: int
    #: Also measure the bot with only the languages the registry enables.
    as_shipped: bool


FULL = Config(processes=5, as_shipped=True)
TINY = Config(processes=1, as_shipped=False)


@dataclass(frozen=True)
class LoadTimes:
    """Median seconds of each phase, and what was loaded."""

    imports: float
    content: float
    catalogs: float
    languages: int
    nodes: int
    countries: int


@dataclass(frozen=True)
class Memory:
    """One ``python -m bot run``."""

    languages: str
    ready_seconds: float
    peak_mb: float
    rss_mb: float


def load_times(config: Config, locales: Path) -> LoadTimes:
    """Time the loading in ``config.processes`` fresh interpreters."""
    runs = []
    for _ in range(config.processes):
        done = subprocess.run(
            [sys.executable, "-c", _LOADER, str(CONTENT_DIR), str(locales)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loading the content and catalogs failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout))

    def median(key: str) -> float:
        return statistics.median(float(run[key]) for run in runs)

    first = runs[0]
    return LoadTimes(
        median("imports"),
        median("content"),
        median("catalogs"),
        int(first["languages"]),
        int(first["nodes"]),
        int(first["countries"]),
    )


def memory(work: Path, locales: Path, languages: str) -> Memory:
    """Start the bot, hold one short conversation (/start, 5 presses, Hide), read its memory."""
    telegram = ObservedTelegram()
    with (
        FakeBotApiServer(telegram) as server,
        BotProcess(server, work, {"LOCALES_DIR": str(locales)}) as bot,
    ):
        result = Crowd(telegram, users=1, presses=5, seed=1).run()
        if result.lost or result.problems:
            raise RuntimeError(f"the conversation failed: {result.problems}")
        peak, rss = bot.memory()
        bot.stop_cleanly()
    return Memory(languages, bot.ready_after, peak, rss)


def report(times: LoadTimes, memories: list[Memory]) -> str:
    """Two tables: load times, then the bot's memory."""
    total = times.content + times.catalogs
    text = table(
        f"Start-up: content ({times.nodes} nodes, {times.countries} countries) and "
        f"{times.languages} catalogs ({ALL_LANGUAGES_NOTE}), fresh process, median",
        ["phase", "seconds"],
        [
            ["imports (bot.content, bot.i18n, Babel, PyYAML)", f"{times.imports:.3f}"],
            ["load + validate content", f"{times.content:.3f}"],
            [f"load {times.languages} catalogs", f"{times.catalogs:.3f}"],
            ["content + catalogs", f"{total:.3f}"],
        ],
    )
    text += (
        f"\nTarget: content + catalogs ≤ {LOAD_TARGET_SECONDS} s: {total:.3f} s, "
        f"{verdict(total <= LOAD_TARGET_SECONDS)}.\n\n"
    )
    text += table(
        "Memory of `python -m bot run` after a short conversation (fake Bot API on 127.0.0.1)",
        ["languages", "launch → polling s", "peak RSS (VmHWM) MB", "RSS MB"],
        [
            [m.languages, f"{m.ready_seconds:.2f}", f"{m.peak_mb:.1f}", f"{m.rss_mb:.1f}"]
            for m in memories
        ],
    )
    peak = max(m.peak_mb for m in memories)
    text += (
        f"\nTarget: RSS ≤ {RSS_TARGET_MB:g} MB: {peak:.1f} MB, {verdict(peak <= RSS_TARGET_MB)}.\n"
    )
    return text


def run(config: Config) -> str:
    """Run and report."""
    with tempfile.TemporaryDirectory(prefix="pathways-startup-") as work_dir:
        work = Path(work_dir)
        every = all_languages_locales(work)
        times = load_times(config, every)
        memories = [memory(work / "all", every, f"{times.languages} (all)")]
        if config.as_shipped:
            memories.append(memory(work / "shipped", LOCALES_DIR, "as shipped (enabled ones)"))
    return report(times, memories)
