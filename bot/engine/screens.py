"""Screens: what to show, independent of Telegram or the terminal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """A button; ``index`` is what a press reports back (see ``Session.buttons``)."""

    label: str
    index: int


@dataclass(frozen=True)
class Screen:
    """One message: an optional title, the text, and rows of buttons.

    Everything is plain text; adapters escape it for their transport.
    """

    text: str
    title: str = ""
    rows: tuple[tuple[Button, ...], ...] = ()
    #: A short remark shown before the text, e.g. why an old button did nothing.
    note: str = ""
    #: Whether the language is written right to left.
    rtl: bool = False
    #: The nonce of this screen: presses must carry it.
    nonce: int = 0
    #: The view this screen shows (for adapters that number or link screens).
    view: str = ""
    language: str = "en"

    @property
    def buttons(self) -> tuple[Button, ...]:
        """All buttons, row by row."""
        return tuple(b for row in self.rows for b in row)


@dataclass(frozen=True)
class Tally:
    """An anonymous count the adapter may record: ``kind`` (e.g. ``node``) and ``key``."""

    kind: str
    key: str
