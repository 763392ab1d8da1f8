"""The one load path: settings → content and catalogs, or the lines that say what is wrong.

Every front end loads through here: the command line (``run``, ``chat``, the tools), the
health check, and the reloader of a running bot. A content problem is one line
``<content dir>/<file>:<line>: <message>``, always written by :meth:`Problem.__str__`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.model import Content
    from bot.content.problems import Problem
    from bot.engine.translator import Translator

Pair = tuple["Content", "Translator"]


class LoadError(Exception):
    """Content or catalogs that cannot be loaded.

    ``messages`` are the lines to show (``file:line: what is wrong`` for content); ``part``
    says which of the two failed, for front ends that introduce each differently.
    """

    def __init__(
        self, messages: list[str], *, part: Literal["content", "translations"] = "content"
    ) -> None:
        self.messages = messages
        self.part = part
        super().__init__("\n".join(messages))


def problem_lines(root: Path, problems: list[Problem]) -> list[str]:
    """``problems`` as lines naming their files from the content folder ``root``."""
    return [str(problem.under(root)) for problem in problems]


def load_content_at(root: Path) -> Content:
    """The content under ``root``; :class:`LoadError` with its hard errors."""
    from bot.content import ContentError, load_content

    try:
        return load_content(root)
    except ContentError as exc:
        raise LoadError(problem_lines(root, exc.problems)) from exc


def load_translations(settings: Settings) -> Translator:
    """The catalogs of every enabled language; :class:`LoadError` saying why not."""
    from bot.i18n import TranslationError, load_translator

    try:
        return load_translator(settings)
    except TranslationError as exc:
        raise LoadError(str(exc).splitlines(), part="translations") from exc


def load_pair(settings: Settings, content_dir: Path | None = None) -> Pair:
    """Content (from ``content_dir``, default ``CONTENT_DIR``) and translations."""
    content = load_content_at(content_dir or settings.content_dir)
    return content, load_translations(settings)
