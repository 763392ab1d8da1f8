"""Run the benchmarks: ``python bench/run.py`` (a few minutes), ``--tiny`` (seconds, for CI).

Each benchmark prints a Markdown table; ``bench/RESULTS.md`` keeps a full run with the
machine it ran on. ``--only`` picks benchmarks; ``--profile`` adds a cProfile listing of the
full bot's per-update path.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the repository root is what the
# imports below (bench.*, bot.*, tests.support.*) need.
ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load_test, per_update, profiling, startup, storage  # noqa: E402
from bench.common import machine, table  # noqa: E402

#: name → (what it measures, full run, tiny run)
BENCHMARKS: dict[str, tuple[str, Callable[[], str], Callable[[], str]]] = {
    "per-update": (
        "full bot vs bare python-telegram-bot, per update",
        lambda: per_update.run(per_update.FULL),
        lambda: per_update.run(per_update.TINY),
    ),
    "startup": (
        "content and catalogs load time, memory of `run`",
        lambda: startup.run(startup.FULL),
        lambda: startup.run(startup.TINY),
    ),
    "storage": (
        "session reads and writes a second, purge",
        lambda: storage.run(storage.FULL),
        lambda: storage.run(storage.TINY),
    ),
    "load": (
        "users at once against `python -m bot run` over HTTP",
        lambda: load_test.run(load_test.FULL),
        lambda: load_test.run(load_test.TINY),
    ),
}
PROFILE = (
    "profile",
    "cProfile of the full bot's per-update path",
    lambda: profiling.run(per_update.Config(users=2_000, presses=3_000, warmup=300)),
    lambda: profiling.run(per_update.TINY),
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smallest sizes: checks, not numbers")
    parser.add_argument(
        "--only",
        action="append",
        choices=[*BENCHMARKS, PROFILE[0]],
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join([*BENCHMARKS, PROFILE[0]])}",
    )
    parser.add_argument("--profile", action="store_true", help="also profile the full bot")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks, printing each table as it is done."""
    args = parse_args(argv)
    chosen = {
        name: entry for name, entry in BENCHMARKS.items() if name in (args.only or BENCHMARKS)
    }
    if args.profile or (args.only and PROFILE[0] in args.only):
        chosen[PROFILE[0]] = PROFILE[1:]
    load_before = os.getloadavg()[0]
    print(table("Machine", ["", ""], machine()), flush=True)
    for name, (what, full, tiny) in chosen.items():
        print(f"<!-- {name}: {what} -->", flush=True)
        began = time.perf_counter()
        print((tiny if args.tiny else full)(), flush=True)
        print(f"({name}: {time.perf_counter() - began:.1f} s)\n", flush=True)
    print(
        f"Load average (1 min) at start and end: {load_before:.2f}, {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores: anything else running slows the wall-clock numbers.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
