"""Drive the engine like a user would: press buttons by label, type text."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content import Content
from bot.engine import events as ev
from bot.engine.engine import Outcome, step
from bot.engine.screens import Screen, Tally
from bot.engine.state import Session
from bot.engine.translator import SourceTranslator, Translator


@dataclass
class EngineUser:
    """A user talking to the engine directly, remembering the last screen."""

    content: Content
    translator: Translator = field(default_factory=SourceTranslator)
    session: Session | None = None
    screen: Screen | None = None
    outcome: Outcome | None = None
    tallies: list[Tally] = field(default_factory=list)

    def send(self, event: ev.Event) -> Screen:
        """Apply one event; returns the (first) screen shown."""
        self.outcome = step(self.content, self.session, event, self.translator)
        self.session = self.outcome.session
        self.screen = self.outcome.screens[0]
        self.tallies += self.outcome.tallies
        return self.screen

    def click(self, label: str) -> Screen:
        """Press the button whose label contains ``label`` on the current screen."""
        assert self.screen is not None and self.session is not None
        matches = [b for b in self.screen.buttons if label in b.label]
        assert matches, f"no button {label!r} in {[b.label for b in self.screen.buttons]}"
        return self.send(ev.Press(self.screen.nonce, matches[0].index))

    def labels(self) -> list[str]:
        """Labels of the current screen's buttons."""
        assert self.screen is not None
        return [b.label for b in self.screen.buttons]
