"""The terminal chat: read numbers or text, show screens.

Works interactively and with piped input (one answer per line), so conversations can be
scripted, tested and recorded as transcripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.console.render import render_screen
from bot.content.model import Content
from bot.deeplink import parse_payload
from bot.engine import events as ev
from bot.engine.commands import COMMANDS as BOT_COMMANDS
from bot.engine.engine import Outcome, step
from bot.engine.screens import Screen
from bot.engine.state import Session
from bot.engine.translator import Translator

#: Typed commands: the bot's (see bot.engine.commands) plus shortcuts for the footer buttons.
COMMANDS: dict[str, Callable[[], ev.Event]] = {
    **{f"/{c.name}": c.event for c in BOT_COMMANDS if c.event is not None},
    "/hide": ev.Hide,
    "/back": ev.Back,
    "/menu": ev.Menu,
    "/sos": ev.HelpNow,
}
QUIT = frozenset({"/quit", "/q"})

WELCOME = (
    "Pathways terminal chat. Type a button's number, or a few words. "
    f"Commands: {' '.join('/' + c.name for c in BOT_COMMANDS)}; /quit to leave."
)
CLEARED = "Conversation deleted. Type /start to begin again."


def parse_line(line: str, session: Session | None) -> ev.Event | None:
    """Turn a typed line into an event; ``None`` for a blank line."""
    text = line.strip()
    if not text:
        return None
    if text.isdigit():
        return ev.Press(session.nonce if session else -1, int(text) - 1)
    word, _, rest = text.partition(" ")
    if word == "/start":
        entry = parse_payload(rest)
        return ev.Start(campaign=entry.campaign, language=entry.language, country=entry.country)
    factory = COMMANDS.get(word.lower())
    if factory is not None:
        return factory()
    return ev.FreeText(text)


@dataclass
class TerminalChat:
    """A conversation in the terminal: feeds lines to the engine and writes screens."""

    content: Content
    translator: Translator
    out: TextIO
    record: TextIO | None = None
    echo_input: bool = False
    session: Session | None = None
    _transcript: list[str] = field(default_factory=list)

    def write(self, text: str) -> None:
        """Write to the terminal and to the transcript, if recording."""
        self.out.write(text + "\n")
        self.out.flush()
        if self.record is not None:
            self.record.write(text + "\n")

    def show(self, screens: tuple[Screen, ...]) -> None:
        """Write screens, separated by a rule."""
        for screen in screens:
            self.write("")
            self.write(render_screen(screen))

    def apply(self, event: ev.Event) -> Outcome:
        """Run one event through the engine and show the result."""
        outcome = step(self.content, self.session, event, self.translator)
        self.session = outcome.session
        if outcome.wipe:
            # Quick exit: clear the visible terminal (only when it is one) and say so briefly.
            if not self.echo_input:
                self.out.write("\033[2J\033[H")
            self.write(CLEARED)
        else:
            self.show(outcome.screens)
        return outcome

    def run(self, lines: TextIO, *, start: ev.Start) -> int:
        """Run the conversation until end of input or /quit; returns an exit status."""
        self.write(WELCOME)
        self.apply(start)
        while True:
            self.out.write("> ")
            self.out.flush()
            line = lines.readline()
            if not line:
                self.write("")
                return 0
            if self.echo_input:
                self.out.write(line if line.endswith("\n") else line + "\n")
            if self.record is not None:
                self.record.write(f"> {line.rstrip()}\n")
            if line.strip().lower() in QUIT:
                return 0
            event = parse_line(line, self.session)
            if event is not None:
                self.apply(event)
