"""What the commands share: settings, content and catalogs loaded or reported, and options.

A leaf of :mod:`bot.cli`: it imports no command module. Everything heavy is imported inside
the functions, so ``python -m bot --help`` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import default_content_dir

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.model import Content
    from bot.engine.translator import Translator

Command = Callable[[argparse.Namespace], int]


def add_command(commands: Any, name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
    """Add sub-command ``name`` to ``commands`` (argparse's sub-parser action)."""
    sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(func=func)
    return sub


def add_content_option(sub: argparse.ArgumentParser) -> None:
    """``--content DIR``, defaulting to ``CONTENT_DIR`` (read when the command runs)."""
    sub.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"content folder (default: CONTENT_DIR or {default_content_dir()})",
    )


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
    from bot.loading import LoadError, load_content_at

    try:
        return load_content_at(content_dir)
    except LoadError as exc:
        print(f"The content in {content_dir} has errors:", file=sys.stderr)
        for line in exc.messages:
            print(line, file=sys.stderr)
        return None


def translator_or_report(settings: Settings) -> Translator | None:
    """The catalogs of every enabled language, or ``None`` after printing why they failed."""
    from bot.loading import LoadError, load_translations

    try:
        return load_translations(settings)
    except LoadError as exc:
        print(f"translation error: {exc}", file=sys.stderr)
        return None


def loaded_or_exit(args: argparse.Namespace) -> tuple[Settings, Content, Translator] | int:
    """Settings, content (``--content`` or ``CONTENT_DIR``) and translator; or the exit
    status after printing what is wrong (2 for configuration, 1 for content or catalogs)."""
    settings = settings_or_report()
    if settings is None:
        return 2
    content = content_or_report(args.content or settings.content_dir)
    translator = translator_or_report(settings)
    if content is None or translator is None:
        return 1
    return settings, content, translator


def loaded_in(
    args: argparse.Namespace, languages: Callable[[Translator], list[str]]
) -> tuple[Settings, Content, Translator, list[str]] | int:
    """As :func:`loaded_or_exit`, with the ``languages`` the command asks for, each checked
    (exit status 2, after saying which, when the bot does not offer one)."""
    setup = loaded_or_exit(args)
    if isinstance(setup, int):
        return setup
    settings, content, translator = setup
    codes = languages(translator)
    problem = unknown_language(translator, codes)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return settings, content, translator, codes


def content_and_translator(
    settings: Settings, content_dir: Path
) -> tuple[Content, Translator] | None:
    """The content and the catalogs, or ``None`` after reporting the first that fails."""
    content = content_or_report(content_dir)
    if content is None:
        return None
    translator = translator_or_report(settings)
    if translator is None:
        return None
    return content, translator


def language_list(values: list[str] | None) -> list[str]:
    """``--lang ar --lang fr`` or ``--lang ar,fr``, in order, without repeats."""
    codes = [code.strip() for value in values or [] for code in value.split(",") if code.strip()]
    return list(dict.fromkeys(codes))


def unknown_language(translator: Translator, codes: list[str]) -> str | None:
    """An error message for the first code the bot does not offer, else ``None``."""
    known = [lang.code for lang in translator.languages]
    for code in codes:
        if code not in known:
            return f"unknown language {code!r} (expected one of: {', '.join(known)})"
    return None


def day(value: str) -> dt.date:
    """An argument ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


def positive(value: str) -> int:
    """An argument that is a whole number ≥ 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r} (expected a whole number ≥ 1)")
    return int(value)
