"""Drawing screens: ``draw(content, translator, view, language, facts)``.

A drawn screen depends on these five only. This package cannot see the session (a test
forbids importing :mod:`bot.engine.state` or the transitions in :mod:`bot.engine.engine`),
which is what makes it safe for the engine to keep and reuse what it drew.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Content, FactValue
from bot.engine.render.blocks import footer
from bot.engine.render.screens import Scene, view_screen
from bot.engine.render.text import Builder, Text
from bot.engine.screens import Button, Tally
from bot.engine.translator import Translator

#: Facts as a sorted tuple of pairs: hashable, so drawings can be cached by them.
Facts = tuple[tuple[str, FactValue], ...]


@dataclass(frozen=True)
class Drawn:
    """A view drawn in one language for one set of facts: a screen but for its nonce and
    note, with the action of each button and the tallies that showing it counts."""

    view: str
    title: str
    text: str
    rows: tuple[tuple[Button, ...], ...]
    actions: tuple[str, ...]
    tallies: tuple[Tally, ...]


def draw(content: Content, translator: Translator, view: str, language: str, facts: Facts) -> Drawn:
    """Draw ``view`` in ``language`` for ``facts``."""
    t = Text(translator, language)
    b = Builder()
    title, shown, tallies = view_screen(Scene(content, language, dict(facts), t, b), view)
    footer(shown, t, b)
    actions: list[str] = []
    rows = []
    for row in b.rows:
        buttons = []
        for label, action in row:
            buttons.append(Button(t.bidi(label), len(actions)))
            actions.append(action)
        rows.append(tuple(buttons))
    return Drawn(
        view=shown,
        title=t.bidi(title),
        text=t.bidi("\n\n".join(b.lines)),
        rows=tuple(rows),
        actions=tuple(actions),
        tallies=tuple(tallies),
    )
