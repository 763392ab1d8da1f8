"""Walk the engine by button actions, so tests work the same in every language.

Each screen's buttons are stored in ``Session.buttons`` as actions (``opt:safe``,
``go:pathway:rs_asylum``, ``help``...). Pressing by action instead of by label keeps golden
transcripts and reachability checks independent of translations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.content import Content
from bot.engine import events as ev
from bot.engine.engine import Outcome, step
from bot.engine.screens import Screen
from bot.engine.state import Session
from bot.engine.translator import Translator

#: Where every walk starts: a fixed nonce so transcripts are the same on every run.
NONCE_SEED = 4242


@dataclass(frozen=True)
class State:
    """A session and the screen it shows."""

    session: Session
    screen: Screen

    @property
    def view(self) -> str:
        """The view on screen, e.g. ``node:welcome``."""
        return self.session.view

    @property
    def country(self) -> str:
        """The country fact, or "" when none is set."""
        return str(self.session.facts.get("country", ""))

    def label(self, action: str) -> str:
        """The label of the button with ``action``; fails if the screen has none."""
        actions = self.session.buttons
        assert action in actions, f"no button {action!r} on {self.view}: {list(actions)}"
        index = actions.index(action)
        return next(b.label for b in self.screen.buttons if b.index == index)


def start(content: Content, translator: Translator, language: str = "en") -> State:
    """A new conversation on the welcome screen (the language already chosen)."""
    outcome = step(content, None, ev.Start(language=language, nonce_seed=NONCE_SEED), translator)
    return _state(outcome)


def press(content: Content, translator: Translator, state: State, action: str) -> State:
    """Press the button whose action is ``action``; fails if the screen has none."""
    actions = state.session.buttons
    assert action in actions, f"no button {action!r} on {state.view}: {list(actions)}"
    event = ev.Press(state.session.nonce, actions.index(action))
    return _state(step(content, state.session, event, translator))


def presses(state: State, *, skip: frozenset[str] = frozenset({"hide"})) -> Iterator[str]:
    """The actions of the screen's buttons, without those in ``skip``."""
    for action in dict.fromkeys(state.session.buttons):
        if action not in skip:
            yield action


def _state(outcome: Outcome) -> State:
    assert outcome.session is not None, "the conversation ended"
    return State(outcome.session, outcome.screens[0])
