"""``python -m bot health``: the start-up checks and the error counts (Docker's HEALTHCHECK)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.health import ERROR_DAYS, check, format_errors


def register(commands: Any) -> None:
    """Add the ``health`` command to ``commands`` (argparse's sub-parser action)."""
    description = (
        "check that the bot can run with this configuration (token, content, translations, "
        "data directory, database) and show the errors it counted by kind over the last "
        f"{ERROR_DAYS} days; exit 1 with one line per problem (the Docker HEALTHCHECK)"
    )
    health = commands.add_parser(
        "health", help="check the setup and show error counts", description=description
    )
    health.add_argument(
        "--quiet", action="store_true", help="print problems only (nothing when healthy)"
    )
    health.set_defaults(func=cmd_health)


def cmd_health(args: argparse.Namespace) -> int:
    """Run every check; print problems to stderr, the rest to stdout; 1 if any problem."""
    result = check()
    for problem in result.problems:
        print(f"health: {problem}", file=sys.stderr)
    if not args.quiet:
        for line in result.passed:
            print(f"ok: {line}")
        if result.errors is not None:
            print(format_errors(result.errors))
    return 0 if result.ok else 1
