"""Views and actions: the one owner of their string grammar.

A session stores the view on screen, its history and the action of every button as short
strings. Their grammar lives here, and only here; everything else parses and prints them
with :func:`parse_view`, :func:`parse_action` and ``str``. The strings are exactly those
stored sessions already hold, so no stored conversation breaks.

Views::

    node:<node id>       a node of the main flow       pathway:<pathway id>  one legal route
    language  help  howto  orgs                        suggest:<view>|<view>|…  topics found

Actions (what a button does)::

    opt:<option id>   answer the current question     next            continue an info screen
    go:<view>         open a view                      country:<CC>    pick the country
    lang:<code>       switch language                  back  menu  help  hide

Anything else parses to :class:`UnknownView` or :class:`UnknownAction`, which keep the text:
a session saved by another version of the content or the code still loads, and shows the
menu instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PageName = Literal["language", "help", "howto", "orgs"]
SimpleName = Literal["back", "menu", "help", "hide", "next"]
PAGES: tuple[PageName, ...] = ("language", "help", "howto", "orgs")
SIMPLE: tuple[SimpleName, ...] = ("back", "menu", "help", "hide", "next")


@dataclass(frozen=True, slots=True)
class NodeView:
    """A node of the main flow."""

    node: str

    def __str__(self) -> str:
        return f"node:{self.node}"


@dataclass(frozen=True, slots=True)
class PathwayView:
    """One legal pathway, by id."""

    pathway: str

    def __str__(self) -> str:
        return f"pathway:{self.pathway}"


@dataclass(frozen=True, slots=True)
class Page:
    """A screen without an argument: the language picker, Help now, how-to, organisations."""

    name: PageName

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Topics found for typed text, in order (each a node, a pathway or Help now)."""

    views: tuple[View, ...]

    def __str__(self) -> str:
        return "suggest:" + "|".join(str(view) for view in self.views)


@dataclass(frozen=True, slots=True)
class UnknownView:
    """A view this version does not know (kept as it was written)."""

    text: str

    def __str__(self) -> str:
        return self.text


View = NodeView | PathwayView | Page | Suggestions | UnknownView

LANGUAGE = Page("language")
HELP = Page("help")
HOWTO = Page("howto")
ORGS = Page("orgs")


def parse_view(text: str) -> View:
    """The view a string names (``str`` of the result gives the string back)."""
    kind, colon, arg = text.partition(":")
    if not colon:
        for name in PAGES:
            if text == name:
                return Page(name)
    elif kind == "node":
        return NodeView(arg)
    elif kind == "pathway":
        return PathwayView(arg)
    elif kind == "suggest":
        views = tuple(parse_view(part) for part in arg.split("|"))
        # Nested suggestions, or a part that would print differently, cannot round-trip.
        if not any(isinstance(v, Suggestions) for v in views) and str(Suggestions(views)) == text:
            return Suggestions(views)
    return UnknownView(text)


def node_id(view: str) -> str | None:
    """The node id of a ``node:`` view string, else ``None`` (the common case, made quick)."""
    return view[5:] if view.startswith("node:") else None


@dataclass(frozen=True, slots=True)
class Answer:
    """Answer the current question with an option."""

    option: str

    def __str__(self) -> str:
        return f"opt:{self.option}"


@dataclass(frozen=True, slots=True)
class Go:
    """Open a view."""

    view: View

    def __str__(self) -> str:
        return f"go:{self.view}"


@dataclass(frozen=True, slots=True)
class PickCountry:
    """Choose the country (on Help now, when none is known)."""

    country: str

    def __str__(self) -> str:
        return f"country:{self.country}"


@dataclass(frozen=True, slots=True)
class PickLanguage:
    """Switch to another language."""

    code: str

    def __str__(self) -> str:
        return f"lang:{self.code}"


@dataclass(frozen=True, slots=True)
class Simple:
    """An action without an argument: Back, Menu, Help now, Hide, Continue."""

    name: SimpleName

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class UnknownAction:
    """An action this version does not know (kept as it was written; it does nothing)."""

    text: str

    def __str__(self) -> str:
        return self.text


Action = Answer | Go | PickCountry | PickLanguage | Simple | UnknownAction

BACK = Simple("back")
MENU = Simple("menu")
HELP_NOW = Simple("help")
HIDE = Simple("hide")
NEXT = Simple("next")


def parse_action(text: str) -> Action:
    """The action a string names (``str`` of the result gives the string back)."""
    kind, colon, arg = text.partition(":")
    if not colon:
        for name in SIMPLE:
            if text == name:
                return Simple(name)
    elif kind == "opt":
        return Answer(arg)
    elif kind == "go":
        return Go(parse_view(arg))
    elif kind == "country":
        return PickCountry(arg)
    elif kind == "lang":
        return PickLanguage(arg)
    return UnknownAction(text)
