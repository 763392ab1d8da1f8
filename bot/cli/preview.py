"""``python -m bot preview``: static HTML pages of every screen, linked like the buttons."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import add_command, add_content_option, language_list, loaded_in


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

    setup = loaded_in(
        args, lambda translator: language_list(args.lang) or [x.code for x in translator.languages]
    )
    if isinstance(setup, int):
        return setup
    _, content, translator, languages = setup
    preview = explore(content, translator, languages)
    indexes = write_preview(preview, translator, args.out)
    print(f"{len(preview.pages)} pages in {', '.join(languages)}; open {indexes[0]}")
    return 0
