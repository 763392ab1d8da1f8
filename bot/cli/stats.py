"""``python -m bot stats``: the anonymous counters, with small counts suppressed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.cli.common import day, positive, settings_or_report
from bot.storage.formats import FORMATS, VIEWS


def register(commands: Any) -> None:
    """Add the ``stats`` command to ``commands`` (argparse's sub-parser action)."""
    description = (
        "print the anonymous per-day counters (starts by campaign, languages, nodes reached, "
        "pathways shown, Help now, quick exits) from the bot's database in DATA_DIR; "
        "counts below the minimum are suppressed"
    )
    stats = commands.add_parser(
        "stats", help="print the anonymous counters", description=description
    )
    stats.add_argument(
        "--since", type=day, metavar="YYYY-MM-DD", help="only days from this date on (UTC)"
    )
    stats.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    stats.add_argument(
        "--by",
        choices=VIEWS,
        default="kind",
        help="kind: every count by day, kind and key; campaign: deep-link starts per campaign "
        "per day and per ISO week (default: kind)",
    )
    stats.add_argument(
        "--min-count",
        type=positive,
        metavar="N",
        help="suppress counts below N (default: STATS_MIN_COUNT, which defaults to 5)",
    )
    stats.set_defaults(func=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the counters; 1 when there is no database or it cannot be read, 2 on bad config."""
    from bot.storage.errors import StorageError
    from bot.storage.report import stats_report

    settings = settings_or_report()
    if settings is None:
        return 2
    min_count = args.min_count if args.min_count is not None else settings.stats_min_count
    try:
        report = asyncio.run(
            stats_report(
                settings.database_path,
                fmt=args.format,
                view=args.by,
                min_count=min_count,
                since=args.since,
            )
        )
    except StorageError as exc:
        print(f"stats: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(report)
    return 0
