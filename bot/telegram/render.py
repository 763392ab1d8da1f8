"""Turn engine screens into Telegram messages: HTML text and inline keyboards.

Keyboards and the link-preview setting are made as the Bot API's own JSON and handed to
python-telegram-bot as ``api_kwargs`` (see :attr:`OutgoingMessage.api_kwargs`). Its
``InlineKeyboardMarkup`` and ``InlineKeyboardButton`` objects would be built only to be turned
straight back into this JSON for the request, and building and serialising a dozen of them took
about a third of an update (``bench/RESULTS.md``). A test checks that the JSON is exactly what
those objects give.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from typing import Any

from bot.content.limits import MESSAGE_MAX
from bot.engine.screens import Screen
from bot.telegram.callback_data import encoder

#: How many screens' HTML is kept: the engine keeps as many drawings (and hands out the very
#: same strings, whose hashes Python keeps, so finding one here costs next to nothing).
HTML_KEPT = 1024

#: The Bot API's ``InlineKeyboardMarkup``: ``{"inline_keyboard": [[{"text": ...,
#: "callback_data": ...}, ...], ...]}``.
Keyboard = dict[str, list[list[dict[str, str]]]]

#: Link previews off: a preview makes Telegram fetch the linked page and show it (more data
#: to load, and a larger trace on the screen). The Bot API's ``LinkPreviewOptions``.
NO_PREVIEW: dict[str, Any] = {"is_disabled": True}


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: HTML text and, on the last part of a screen, its keyboard."""

    html: str
    keyboard: Keyboard | None

    @property
    def api_kwargs(self) -> dict[str, Any]:
        """What goes with the text, as Bot API JSON: the keyboard (if any), no link preview."""
        if self.keyboard is None:
            return {"link_preview_options": NO_PREVIEW}
        return {"reply_markup": self.keyboard, "link_preview_options": NO_PREVIEW}


def keyboard(screen: Screen) -> Keyboard | None:
    """The screen's buttons as the Bot API's inline keyboard JSON (rows kept)."""
    if not screen.rows:
        return None
    encode = encoder(screen.nonce)
    return {
        "inline_keyboard": [
            [{"text": b.label, "callback_data": encode(b.index)} for b in row]
            for row in screen.rows
        ]
    }


def _blocks(note: str, title: str, text: str) -> list[tuple[str, str]]:
    """(plain text, html) paragraphs of a screen, in order."""
    blocks = []
    if note:
        blocks.append((note, f"<i>{html.escape(note)}</i>"))
    if title:
        blocks.append((title, f"<b>{html.escape(title)}</b>"))
    for paragraph in text.split("\n\n") if text else []:
        blocks.append((paragraph, html.escape(paragraph)))
    return blocks or [("…", "…")]


def _split_long(plain: str, limit: int) -> list[str]:
    """Cut one over-long paragraph at line ends, else at spaces, else hard."""
    parts: list[str] = []
    while len(plain) > limit:
        cut = plain.rfind("\n", 0, limit)
        if cut <= 0:
            cut = plain.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(plain[:cut])
        plain = plain[cut:].lstrip()
    return [*parts, plain]


def messages(screen: Screen, limit: int = MESSAGE_MAX) -> list[OutgoingMessage]:
    """The screen as one message, or several when it is longer than Telegram allows.

    Telegram counts the limit on the text after entities are parsed, so parts are measured
    on the plain text. The keyboard goes on the last part.
    """
    parts = _html_parts(screen.note, screen.title, screen.text, limit)
    last = len(parts) - 1
    return [
        OutgoingMessage(part, keyboard(screen) if i == last else None)
        for i, part in enumerate(parts)
    ]


@functools.lru_cache(maxsize=HTML_KEPT)
def _html_parts(note: str, title: str, text: str, limit: int) -> tuple[str, ...]:
    """The HTML of each message of a screen (see :func:`messages`)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for plain, markup in _blocks(note, title, text):
        pieces = (
            [(plain, markup)]
            if len(plain) <= limit
            else [(p, html.escape(p)) for p in _split_long(plain, limit)]
        )
        for piece_plain, piece_html in pieces:
            extra = len(piece_plain) + (2 if chunks[-1] else 0)
            if chunks[-1] and size + extra > limit:
                chunks.append([])
                size = 0
                extra = len(piece_plain)
            chunks[-1].append(piece_html)
            size += extra
    return tuple("\n\n".join(chunk) for chunk in chunks)
