"""``python -m bot chat`` (and ``python -m bot`` without a token): the terminal chat."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import add_command, content_and_translator, settings_or_report
from bot.config import default_content_dir


def register(commands: Any) -> None:
    """Add the ``chat`` command."""
    chat = add_command(
        commands, "chat", cmd_chat, "talk to the bot in this terminal (no token needed)"
    )
    add_chat_options(chat)


def add_chat_options(sub: argparse.ArgumentParser) -> None:
    """The chat's options (also those of ``python -m bot`` without a command)."""
    sub.add_argument("--lang", default="", help="language code, e.g. ar (default: ask)")
    sub.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    sub.add_argument("--record", metavar="FILE", help="write the conversation to FILE")
    sub.add_argument("--start", metavar="PAYLOAD", help="begin as from a deep link's payload")


def cmd_default(args: argparse.Namespace) -> int:
    """With a Telegram token, run the bot; without one, open the terminal chat."""
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        from bot.cli.run import cmd_run

        return cmd_run(args)
    print("No TELEGRAM_BOT_TOKEN is set, so here is the terminal chat.", file=sys.stderr)
    return cmd_chat(args)


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal."""
    from bot.console.chat import TerminalChat

    settings = settings_or_report()
    if settings is None:
        return 2
    loaded = content_and_translator(settings, args.content)
    if loaded is None:
        return 1
    content, translator = loaded
    offered = [language.code for language in translator.languages]
    if args.lang and args.lang not in offered:
        print(
            f"language {args.lang!r} is not enabled (enabled: {', '.join(offered)}; "
            "see locales/languages.yaml)",
            file=sys.stderr,
        )
    with contextlib.ExitStack() as stack:
        record = (
            stack.enter_context(Path(args.record).open("w", encoding="utf-8"))
            if args.record
            else None
        )
        chat = TerminalChat(
            content, translator, sys.stdout, record=record, echo_input=not sys.stdin.isatty()
        )
        try:
            return chat.run(sys.stdin, start=_start(args))
        except KeyboardInterrupt:
            print()
            return 0


def _start(args: argparse.Namespace) -> Any:
    """The first event: a deep link's payload (``--start``), ``--lang`` taking precedence."""
    from bot.deeplink import parse_payload
    from bot.engine import events as ev

    entry = parse_payload(args.start or "")
    return ev.Start(
        campaign=entry.campaign,
        language=args.lang or entry.language,
        country=entry.country,
        nonce_seed=int.from_bytes(os.urandom(3), "big"),
    )
