"""The pure conversation engine: events in, session and screens out.

This package never imports ``telegram`` or ``aiosqlite``.
"""

from bot.engine.engine import Engine, Outcome, step
from bot.engine.screens import Button, Screen, Tally
from bot.engine.state import Session
from bot.engine.translator import Language, SourceTranslator, Translator

__all__ = [
    "Button",
    "Engine",
    "Language",
    "Outcome",
    "Screen",
    "Session",
    "SourceTranslator",
    "Tally",
    "Translator",
    "step",
]
