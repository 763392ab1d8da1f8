"""``python -m bot run``: the Telegram bot."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import add_command, content_and_translator, settings_or_report


def register(commands: Any) -> None:
    """Add the ``run`` command."""
    run = add_command(commands, "run", cmd_run, "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument(
        "--reload",
        action="store_true",
        help="reload the content and translations when their files change (SIGHUP always does)",
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""
    from bot.config import TOKEN_HELP
    from bot.logs import setup_logging

    settings = settings_or_report()
    if settings is None:
        return 2
    if not settings.telegram_token:
        print(f"configuration error: TELEGRAM_BOT_TOKEN is not set. {TOKEN_HELP}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format)
    loaded = content_and_translator(settings, settings.content_dir)
    if loaded is None:
        return 1
    content, translator = loaded
    from bot.storage.db import StorageError
    from bot.telegram.app import run

    try:
        run(settings, content, translator, watch=getattr(args, "reload", False))
    except StorageError as exc:
        print(f"storage error: {exc}", file=sys.stderr)
        return 1
    return 0
