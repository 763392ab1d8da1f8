"""``python -m bot check [--watch]``: validate the content, once or on every change."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import add_command, day, settings_or_report
from bot.config import default_content_dir

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.model import Content
    from bot.content.problems import Problem
    from bot.engine.translator import Translator


def register(commands: Any) -> None:
    """Add the ``check`` command."""
    check = add_command(
        commands, "check", cmd_check, "validate the content: errors as file:line, then warnings"
    )
    check.add_argument(
        "content", nargs="?", type=Path, default=default_content_dir(), metavar="CONTENT_DIR"
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--stale", action="store_true", help="list facts by review date and confidence"
    )
    check.add_argument("--today", type=day, help=argparse.SUPPRESS)
    check.add_argument(
        "--watch",
        action="store_true",
        help="check again whenever content/ or locales/ change (or on SIGHUP), until Ctrl-C",
    )
    check.add_argument(
        "--interval", type=float, default=1.0, metavar="SECONDS", help=argparse.SUPPRESS
    )


def checked(
    args: argparse.Namespace,
) -> tuple[Content | None, list[Problem], list[Problem]]:
    """The content, its errors and its warnings (files named from the content folder)."""
    from bot.content.loader import read_content
    from bot.content.validate import validate

    content, problems = read_content(args.content)
    if content is not None:
        problems += validate(content, today=args.today or dt.date.today())
    errors = sorted(p for p in problems if p.severity == "error")
    warnings = sorted(p for p in problems if p.severity == "warning")
    return (
        content,
        [p.under(args.content) for p in errors],
        [p.under(args.content) for p in warnings],
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Validate content: errors as file:line, then warnings; exit 1 on errors."""
    from bot.content.validate import fact_items

    if args.watch:
        return watch_check(args)
    content, errors, warnings = checked(args)
    for problem in errors:
        print(problem, file=sys.stderr)
    for problem in warnings:
        print(problem)
    if args.stale and content is not None:
        print("\nFacts by review date (oldest first), with confidence:")
        for item in sorted(fact_items(content), key=lambda f: (f.reviewed, f.label)):
            where = args.content / item.item.where.file
            print(
                f"  {item.reviewed}  {item.confidence:<10}  {item.label}  ({where}:{item.item.where.line})"
            )
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=sys.stderr)
    if errors or (args.strict and warnings):
        return 1
    return 0


def watch_check(args: argparse.Namespace) -> int:
    """``check --watch``: check now, then again on every change under content/ and locales/.

    Runs until Ctrl-C. Uses :class:`~bot.reload.ContentReloader`, as the bot does, so what
    it reports is what a running bot would do with the change.
    """
    from bot.loading import LoadError
    from bot.reload import ContentReloader, snapshot

    settings = settings_or_report()
    if settings is None:
        return 2
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    reload_logger = logging.getLogger("bot.reload")
    reload_logger.addHandler(handler)
    reload_logger.setLevel(logging.INFO)
    folders = [args.content, settings.locales_dir]

    def load() -> tuple[Content, Translator]:
        return _checked_pair(args, settings)

    print(f"Watching {' and '.join(map(str, folders))}; Ctrl-C stops.", file=sys.stderr)
    try:
        while True:
            try:
                reloader = ContentReloader(load, folders, interval=args.interval)
                break
            except LoadError as exc:
                # Nothing good to keep yet: report, wait for the next change, try again.
                print("\n".join(exc.messages), file=sys.stderr)
                seen = snapshot(folders)
                while snapshot(folders) == seen:
                    time.sleep(args.interval)
        asyncio.run(reloader.run())
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
    finally:
        reload_logger.removeHandler(handler)
    return 0


def _checked_pair(args: argparse.Namespace, settings: Settings) -> tuple[Content, Translator]:
    """Check the content like ``check`` does; the pair, or :class:`LoadError` on errors."""
    from bot.loading import LoadError, load_translations

    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"--- {stamp} checking {args.content}", file=sys.stderr)
    content, errors, warnings = checked(args)
    for problem in warnings:
        print(problem)
    if errors or content is None:
        raise LoadError(
            [str(p) for p in errors] + [f"{len(errors)} error(s), {len(warnings)} warning(s)"]
        )
    translator = load_translations(settings)
    print(f"0 error(s), {len(warnings)} warning(s)", file=sys.stderr)
    return content, translator
