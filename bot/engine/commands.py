"""The one table of commands: name, the event it sends, and what it says.

Every front end reads it: the Telegram adapter publishes the names and descriptions and
turns a typed command into its event, the terminal chat does the same, and the how-to screen
lists the commands with their ``howto`` lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import events as ev
from bot.engine.translator import N_

#: The node ``/privacy`` opens.
PRIVACY_NODE = "about"


@dataclass(frozen=True)
class Command:
    """One command (``/name``)."""

    name: str
    #: The event it sends; ``None`` for ``/start``, which each front end builds from its
    #: deep-link payload.
    event: Callable[[], ev.Event] | None
    #: The description in Telegram's command menu (translated).
    description: str
    #: Its line on the how-to screen (translated); "" leaves it out.
    howto: str = ""


def _privacy() -> ev.Event:
    return ev.ShowTopic(PRIVACY_NODE)


COMMANDS: tuple[Command, ...] = (
    Command("start", None, N_("Begin again"), N_("/start: begin again")),
    Command("help", ev.HowTo, N_("How to use this bot")),
    Command(
        "language",
        ev.ChooseLanguage,
        N_("Change the language"),
        N_("/language: change the language"),
    ),
    Command(
        "privacy",
        _privacy,
        N_("What we keep and what we do not"),
        N_("/privacy: what we keep and what we do not"),
    ),
    Command("reset", ev.Reset, N_("Forget my answers"), N_("/reset: forget your answers")),
    Command(
        "exit", ev.Hide, N_("Delete this conversation now"), N_("/exit: delete this conversation")
    ),
)
#: The how-to screen's lines, in the table's order.
HOWTO_LINES: tuple[str, ...] = tuple(c.howto for c in COMMANDS if c.howto)
_EVENTS = {c.name: c.event for c in COMMANDS if c.event is not None}


def command_event(name: str) -> ev.Event | None:
    """The event of command ``name`` (lower-case, no ``/``); ``None`` for ``/start`` and
    for a command that does not exist."""
    factory = _EVENTS.get(name)
    return factory() if factory is not None else None
