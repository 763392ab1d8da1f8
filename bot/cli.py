"""Command line: ``python -m bot <command>`` (also installed as ``pathways``)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import default_content_dir

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.model import Content
    from bot.engine.translator import Translator


def settings_or_report() -> Settings | None:
    """The settings from the environment, or ``None`` after printing every mistake."""
    from bot.config import ConfigError, Settings

    try:
        return Settings.from_env()
    except ConfigError as exc:
        for message in exc.messages:
            print(f"configuration error: {message}", file=sys.stderr)
        return None


def content_or_report(content_dir: Path) -> Content | None:
    """The content under ``content_dir``, or ``None`` after printing its errors as file:line."""
    from bot.content import ContentError, load_content

    try:
        return load_content(content_dir)
    except ContentError as exc:
        print(f"The content in {content_dir} has errors:", file=sys.stderr)
        for problem in exc.problems:
            print(
                f"{content_dir / problem.where.file}:{problem.where.line}: {problem.message}",
                file=sys.stderr,
            )
        return None


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal."""
    from bot.console.chat import TerminalChat
    from bot.deeplink import parse_payload
    from bot.engine import events as ev

    settings = settings_or_report()
    if settings is None:
        return 2
    content = content_or_report(args.content)
    if content is None:
        return 1
    translator = translator_or_report(settings)
    if translator is None:
        return 1
    offered = [language.code for language in translator.languages]
    if args.lang and args.lang not in offered:
        print(
            f"language {args.lang!r} is not enabled (enabled: {', '.join(offered)}; "
            "see locales/languages.yaml)",
            file=sys.stderr,
        )
    entry = parse_payload(args.start or "")
    start = ev.Start(
        campaign=entry.campaign,
        language=args.lang or entry.language,
        country=entry.country,
        nonce_seed=int.from_bytes(os.urandom(3), "big"),
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
            return chat.run(sys.stdin, start=start)
        except KeyboardInterrupt:
            print()
            return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate content: errors as file:line, then warnings; exit 1 on errors."""
    from bot.content.loader import read_content
    from bot.content.validate import fact_items, validate

    if args.watch:
        from bot.tools.cli import watch_check

        return watch_check(args)
    content, problems = read_content(args.content)
    today = args.today or dt.date.today()
    if content is not None:
        problems += validate(content, today=today)
    errors = sorted(p for p in problems if p.severity == "error")
    warnings = sorted(p for p in problems if p.severity == "warning")
    for problem in errors + warnings:
        line = f"{args.content / problem.where.file}:{problem.where.line}: "
        line += ("" if problem.severity == "error" else "warning: ") + problem.message
        print(line, file=sys.stderr if problem.severity == "error" else sys.stdout)
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


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas of the content files."""
    from bot.content.schema import all_schemas

    schemas = all_schemas()
    if args.out is None:
        print(json.dumps(schemas, indent=2, ensure_ascii=False))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, schema in schemas.items():
        path = args.out / f"{kind}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path)
    return 0


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
    content = content_or_report(settings.content_dir)
    if content is None:
        return 1
    translator = translator_or_report(settings)
    if translator is None:
        return 1
    from bot.storage.db import StorageError
    from bot.telegram.app import run

    try:
        run(settings, content, translator, watch=getattr(args, "reload", False))
    except StorageError as exc:
        print(f"storage error: {exc}", file=sys.stderr)
        return 1
    return 0


def translator_or_report(settings: Settings) -> Translator | None:
    """The catalogs of every enabled language, or ``None`` after printing why they failed."""
    from bot.i18n import TranslationError, load_translator

    try:
        return load_translator(settings)
    except TranslationError as exc:
        print(f"translation error: {exc}", file=sys.stderr)
        return None


def cmd_default(args: argparse.Namespace) -> int:
    """With a Telegram token, run the bot; without one, open the terminal chat."""
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        return cmd_run(args)
    print("No TELEGRAM_BOT_TOKEN is set, so here is the terminal chat.", file=sys.stderr)
    return cmd_chat(args)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


#: Modules that add their own commands. Each has ``register(commands)``, which adds its
#: sub-parsers to ``commands`` (argparse's sub-parser action) and imports nothing heavy until
#: a command runs, so ``python -m bot --help`` stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.storage.cli",
    "bot.i18n.cli",
    "bot.tools.cli",
    "bot.health",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command (the README lists the same ones)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Pathways: anonymous information on rights and residence options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        return sub

    def add_chat_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--lang", default="", help="language code, e.g. ar (default: ask)")
        sub.add_argument(
            "--content", type=Path, default=default_content_dir(), help="content folder"
        )
        sub.add_argument("--record", metavar="FILE", help="write the conversation to FILE")
        sub.add_argument("--start", metavar="PAYLOAD", help="begin as from a deep link's payload")

    add_chat_options(parser)
    parser.set_defaults(func=cmd_default)

    run = add("run", cmd_run, "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument(
        "--reload",
        action="store_true",
        help="reload the content and translations when their files change (SIGHUP always does)",
    )

    chat = add("chat", cmd_chat, "talk to the bot in this terminal (no token needed)")
    add_chat_options(chat)

    check = add("check", cmd_check, "validate the content: errors as file:line, then warnings")
    check.add_argument(
        "content", nargs="?", type=Path, default=default_content_dir(), metavar="CONTENT_DIR"
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--stale", action="store_true", help="list facts by review date and confidence"
    )
    check.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    check.add_argument(
        "--watch",
        action="store_true",
        help="check again whenever content/ or locales/ change (or on SIGHUP), until Ctrl-C",
    )
    check.add_argument(
        "--interval", type=float, default=1.0, metavar="SECONDS", help=argparse.SUPPRESS
    )

    schema = add("schema", cmd_schema, "print or write the JSON Schema of the content files")
    schema.add_argument(
        "--out", type=Path, metavar="DIR", help="write <kind>.schema.json files into DIR"
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
