"""The session: the little the bot remembers about one conversation.

It holds the current screen, the way back, the answers given (as facts), the language and
what each numbered button of the current screen does. It is a small JSON value so storage can
keep it without knowing what is inside. It never holds names, ids or typed text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.content.model import FactValue

#: Nonces wrap around at this value; 24 bits keep callback data short.
NONCE_MODULUS = 1 << 24
#: The history is capped so a long conversation cannot grow the session without bound.
HISTORY_MAX = 30
#: Compact, sorted JSON; made once, as ``json.dumps`` with options makes an encoder per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class Session:
    """One conversation's state (immutable: the engine returns a new one)."""

    language: str
    view: str = ""
    history: tuple[str, ...] = ()
    facts: dict[str, FactValue] = field(default_factory=dict)
    nonce: int = 0
    #: What each button of the current screen does, by index (see ``bot.engine.engine``).
    buttons: tuple[str, ...] = ()

    def with_view(self, view: str, *, remember: bool = True) -> Session:
        """Move to ``view``, pushing the current view onto the history."""
        history = self.history
        if remember and self.view and self.view != view:
            history = (*history, self.view)[-HISTORY_MAX:]
        # Built directly rather than with dataclasses.replace, which costs several times
        # more: these run on every update.
        return Session(self.language, view, history, self.facts, self.nonce, self.buttons)

    def with_screen(self, view: str, nonce: int, buttons: tuple[str, ...]) -> Session:
        """The session once ``view`` is on screen with a new ``nonce`` and its ``buttons``."""
        return Session(self.language, view, self.history, self.facts, nonce, buttons)

    def back(self) -> Session:
        """Return to the last view of the history (taking it off); needs a history."""
        history = self.history
        return Session(
            self.language, history[-1], history[:-1], self.facts, self.nonce, self.buttons
        )

    def with_language(self, language: str) -> Session:
        """The session in another language."""
        return Session(language, self.view, self.history, self.facts, self.nonce, self.buttons)

    def with_facts(self, facts: dict[str, FactValue]) -> Session:
        """The session with ``facts`` merged into the gathered facts."""
        merged = {**self.facts, **facts}
        return Session(self.language, self.view, self.history, merged, self.nonce, self.buttons)

    def without_facts(self, names: Iterable[str]) -> Session:
        """The session with the facts ``names`` forgotten (a question asked again)."""
        dropped = set(names)
        kept = {k: v for k, v in self.facts.items() if k not in dropped}
        return Session(self.language, self.view, self.history, kept, self.nonce, self.buttons)

    def to_json(self) -> str:
        """Serialise to compact JSON."""
        return _ENCODER.encode(
            {
                "v": 1,
                "language": self.language,
                "view": self.view,
                "history": list(self.history),
                "facts": self.facts,
                "nonce": self.nonce,
                "buttons": list(self.buttons),
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> Session | None:
        """Parse stored JSON; ``None`` for anything malformed (the user starts over)."""
        try:
            data: Any = json.loads(raw)
        except (TypeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("v") != 1:
            return None
        language, view, history = data.get("language"), data.get("view"), data.get("history")
        facts, nonce, buttons = data.get("facts"), data.get("nonce"), data.get("buttons")
        if not (
            isinstance(history, list)
            and isinstance(buttons, list)
            and isinstance(language, str)
            and isinstance(view, str)
            and _strings(history)
            and isinstance(facts, dict)
            and all(isinstance(k, str) and isinstance(v, str | bool) for k, v in facts.items())
            and isinstance(nonce, int)
            and not isinstance(nonce, bool)
            and 0 <= nonce < NONCE_MODULUS
            and _strings(buttons)
        ):
            return None
        return cls(language, view, tuple(history), dict(facts), nonce, tuple(buttons))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
