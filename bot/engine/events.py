"""Events: what a user did, as the engine understands it, whatever the transport."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Start:
    """Begin (or begin again), optionally from a deep link's campaign, language and country."""

    campaign: str = ""
    language: str = ""
    country: str = ""
    #: A language the device suggests (only a hint: phones are shared).
    language_hint: str = ""
    #: Where screen nonces start; adapters pass a random number so old buttons never match.
    nonce_seed: int = 0


@dataclass(frozen=True)
class Press:
    """A tap on button ``index`` of the screen that carried ``nonce``."""

    nonce: int
    index: int


@dataclass(frozen=True)
class Back:
    """Go to the previous screen."""


@dataclass(frozen=True)
class Menu:
    """Go to the menu."""


@dataclass(frozen=True)
class HelpNow:
    """Show emergency numbers and hotlines."""


@dataclass(frozen=True)
class Hide:
    """Quick exit: forget everything and ask the adapter to delete the conversation."""


@dataclass(frozen=True)
class Reset:
    """Forget the answers and start again (keeps the language)."""


@dataclass(frozen=True)
class ChooseLanguage:
    """Open the language picker."""


@dataclass(frozen=True)
class SetLanguage:
    """Switch to language ``code``."""

    code: str


@dataclass(frozen=True)
class ShowTopic:
    """Open a topic node by id (commands such as /privacy)."""

    node: str


@dataclass(frozen=True)
class HowTo:
    """Explain how to use the bot (/help)."""


@dataclass(frozen=True)
class FreeText:
    """Something the user typed. It is matched and then forgotten, never stored."""

    text: str


@dataclass(frozen=True)
class Unsupported:
    """A message the bot cannot read (photo, sticker, voice, location, contact...)."""


Event = (
    Start
    | Press
    | Back
    | Menu
    | HelpNow
    | Hide
    | Reset
    | ChooseLanguage
    | SetLanguage
    | ShowTopic
    | HowTo
    | FreeText
    | Unsupported
)
