"""Render engine screens as plain terminal text (also used for recorded transcripts)."""

from __future__ import annotations

from bot.engine.screens import Screen


def render_screen(screen: Screen) -> str:
    """A screen as text: note, title, text, then numbered buttons, row by row."""
    parts: list[str] = []
    if screen.note:
        parts.append(f"({screen.note})")
    if screen.title:
        parts.append(screen.title)
        parts.append("─" * min(len(screen.title), 40))
    if screen.text:
        parts.append(screen.text)
    if parts:
        parts.append("")
    for row in screen.rows:
        parts.append("   ".join(f"[{b.index + 1}] {b.label}" for b in row))
    return "\n".join(parts)
