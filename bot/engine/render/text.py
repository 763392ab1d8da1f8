"""Translation helpers for one language, and the builder that collects one screen."""

from __future__ import annotations

import datetime as dt

from bot.engine.bidi import isolate_ltr_runs
from bot.engine.translator import Translator, format_day, language_of


class Text:
    """Translation helpers bound to one language."""

    def __init__(self, translator: Translator, language: str) -> None:
        self.translator = translator
        self.language = language_of(translator, language)

    def _(self, message: str, **values: object) -> str:
        """A Python-side message, translated, with ``{placeholders}`` filled in."""
        return fill(self.translator.gettext(self.language.code, message), message, values)

    def n_(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A plural message for count ``n``."""
        text = self.translator.ngettext(self.language.code, singular, plural, n)
        return fill(text, singular if n == 1 else plural, {"n": n, **values})

    def c(self, text: str, context: str = "") -> str:
        """A content string, translated."""
        return self.translator.gettext(self.language.code, text, context) if text else ""

    def day(self, value: dt.date) -> str:
        """A date in the user's language."""
        return format_day(self.language.code, value)

    def bidi(self, text: str) -> str:
        """``text`` ready for the screen: left-to-right runs isolated in an RTL language."""
        return isolate_ltr_runs(text) if self.language.rtl and text else text


def fill(translated: str, source: str, values: dict[str, object]) -> str:
    """Fill ``{placeholders}``; a translation with broken ones falls back to the source.

    CI rejects such catalogs, but a user must never see a crash for a translator's typo.
    """
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return source.format(**values)


class Builder:
    """Collects the text and buttons (label and action string) of one screen."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []

    def para(self, *lines: str) -> None:
        """Add a paragraph (lines are joined, empty ones dropped)."""
        text = "\n".join(line for line in lines if line)
        if text:
            self.lines.append(text)

    def button(self, label: str, action: object, *, same_row: bool = False) -> None:
        """Add a button on its own row, or beside the previous one (``action``: a
        :mod:`bot.engine.views` action, stored as its string)."""
        if same_row and self.rows:
            self.rows[-1].append((label, str(action)))
        else:
            self.rows.append([(label, str(action))])
