"""Turn engine screens into Telegram messages: HTML text and inline keyboards."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.limits import MESSAGE_MAX
from bot.engine.screens import Screen
from bot.telegram.callback_data import encoder


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: HTML text and, on the last part of a screen, its keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    """The screen's buttons as an inline keyboard (rows kept)."""
    if not screen.rows:
        return None
    encode = encoder(screen.nonce)
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=encode(b.index)) for b in row]
            for row in screen.rows
        ]
    )


def _blocks(screen: Screen) -> list[tuple[str, str]]:
    """(plain text, html) paragraphs of the screen, in order."""
    blocks = []
    if screen.note:
        blocks.append((screen.note, f"<i>{html.escape(screen.note)}</i>"))
    if screen.title:
        blocks.append((screen.title, f"<b>{html.escape(screen.title)}</b>"))
    for paragraph in screen.text.split("\n\n") if screen.text else []:
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
    chunks: list[list[str]] = [[]]
    size = 0
    for plain, markup in _blocks(screen):
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
    last = len(chunks) - 1
    return [
        OutgoingMessage("\n\n".join(chunk), keyboard(screen) if i == last else None)
        for i, chunk in enumerate(chunks)
    ]
