"""``python -m bot preview``: static HTML pages of every screen, linked like the buttons."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import (
    add_command,
    add_content_option,
    language_list,
    loaded_or_exit,
    unknown_language,
)


def register(commands: Any) -> None:
    """Add the ``preview`` command."""
    preview = add_command(
        commands, "preview", cmd_preview, "write HTML pages of every screen, linked like buttons"
    )
    add_content_option(preview)
    preview.add_argument(
        "--lang", action="append", metavar="L", help="language(s) (default: all enabled)"
    )
    preview.add_argument(
        "--out", type=Path, default=Path("preview"), metavar="DIR", help="default: ./preview"
    )


def cmd_preview(args: argparse.Namespace) -> int:
    """Write static HTML pages of every screen, linked like the buttons."""
    from bot.tools.preview import explore, write_preview

    setup = loaded_or_exit(args)
    if isinstance(setup, int):
        return setup
    _, content, translator = setup
    languages = language_list(args.lang) or [lang.code for lang in translator.languages]
    problem = unknown_language(translator, languages)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    preview = explore(content, translator, languages)
    indexes = write_preview(preview, translator, args.out)
    print(f"{len(preview.pages)} pages in {', '.join(languages)}; open {indexes[0]}")
    return 0
