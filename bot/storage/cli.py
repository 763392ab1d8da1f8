"""``python -m bot stats``: the anonymous counters, with small counts suppressed."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from typing import Any

#: The same choices as ``bot.storage.report.FORMATS`` and ``VIEWS`` (a test keeps them
#: equal); spelled out here so ``python -m bot --help`` does not import the database code.
FORMAT_CHOICES = ("table", "csv", "json")
VIEW_CHOICES = ("kind", "campaign")


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
        "--since", type=_day, metavar="YYYY-MM-DD", help="only days from this date on (UTC)"
    )
    stats.add_argument(
        "--format", choices=FORMAT_CHOICES, default="table", help="output format (default: table)"
    )
    stats.add_argument(
        "--by",
        choices=VIEW_CHOICES,
        default="kind",
        help="kind: every count by day, kind and key; campaign: deep-link starts per campaign "
        "per day and per ISO week (default: kind)",
    )
    stats.add_argument(
        "--min-count",
        type=_positive,
        metavar="N",
        help="suppress counts below N (default: STATS_MIN_COUNT, which defaults to 5)",
    )
    stats.set_defaults(func=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the counters; 1 when there is no database or it cannot be read, 2 on bad config."""
    from bot.cli import settings_or_report
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


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r} (expected a whole number ≥ 1)")
    return int(value)
