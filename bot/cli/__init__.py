"""Command line: ``python -m bot <command>`` (also installed as ``pathways``).

One module per command (or group of commands), each with ``register(commands)``, which adds
its sub-parsers and imports nothing heavy until a command runs, so ``python -m bot --help``
stays fast. What they share is in :mod:`bot.cli.common`. Nothing else in ``bot`` imports
this package: it sits on top of everything.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from bot.cli import chat

#: The command modules, in the order ``--help`` lists their commands.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.run",
    "bot.cli.chat",
    "bot.cli.check",
    "bot.cli.schema",
    "bot.cli.stats",
    "bot.cli.i18n",
    "bot.cli.link",
    "bot.cli.graph",
    "bot.cli.preview",
    "bot.cli.health",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command (the README lists the same ones)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Pathways: anonymous information on rights and residence options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Without a command: run the bot with a token, else open the terminal chat.
    chat.add_chat_options(parser)
    parser.set_defaults(func=chat.cmd_default)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
