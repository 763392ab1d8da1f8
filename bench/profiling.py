"""Where the full bot's time goes per update: cProfile around ``process_update`` only.

The same users and walks as :mod:`bench.per_update`; the profiler is switched on only while
the full bot handles a press, so building updates and choosing buttons do not show up.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import tempfile
from pathlib import Path

from telegram import Update

from bench.instant_api import press_update
from bench.per_update import Config, Walk

#: Rows of each listing.
TOP = 25


async def profile(config: Config) -> pstats.Stats:
    """Profile ``config.presses`` presses (after every user started and the warm-up)."""
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="pathways-profile-") as work:
        walk = Walk(config, Path(work))
        await walk.open()
        try:
            for chat_id in walk.users:
                await walk.start(chat_id)
            for n in range(config.warmup + config.presses):
                chat_id, message_id, data = walk.choose()
                raw = press_update(next(walk.update_ids), chat_id, message_id, data)
                update = Update.de_json(raw, walk.full.bot)
                if n >= config.warmup:
                    profiler.enable()
                await walk.full.process_update(update)
                profiler.disable()
        finally:
            await walk.close()
    return pstats.Stats(profiler)


def report(stats: pstats.Stats, presses: int) -> str:
    """The top functions by own time and by cumulative time."""
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    out.write(
        f"### Profile of the full bot: {presses:,} presses, "
        f"{total / presses * 1e3:.3f} ms a press under cProfile (profiling slows it down)\n"
    )
    stats.strip_dirs().sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    return out.getvalue()


def run(config: Config) -> str:
    """Profile and report."""
    return report(asyncio.run(profile(config)), config.presses)
