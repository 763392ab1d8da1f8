"""The conversation engine: ``step(content, session, event, translator)``.

Pure: no Telegram, no database, no clock, no randomness. Each step turns an event into the
next session and the screens to show, plus anonymous tallies for the counters. This module
holds the transitions only; :mod:`bot.engine.render` draws the screens.

Every button of a screen is stored in ``Session.buttons`` as an action (see
:mod:`bot.engine.views`), and a press reports only the screen's nonce and the button's
index. So callback data stays tiny, a forged index cannot reach anything the screen did not
offer, and an old keyboard (wrong nonce) can never apply an old answer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.content.model import Content, Node
from bot.engine import events as ev
from bot.engine import views as v
from bot.engine.freetext import suggest
from bot.engine.pathways import holds, known_country, shown_node
from bot.engine.render import draw
from bot.engine.render.text import Text
from bot.engine.screens import Screen, Tally
from bot.engine.state import NONCE_MODULUS, Session
from bot.engine.translator import Translator


@dataclass(frozen=True)
class Outcome:
    """The result of a step: the new session (``None``: forget it) and what to show."""

    session: Session | None
    screens: tuple[Screen, ...]
    tallies: tuple[Tally, ...] = ()
    #: Quick exit: the adapter deletes the conversation's messages.
    wipe: bool = False


#: How many drawn screens an :class:`Engine` keeps. A screen depends only on its view, the
#: language and the facts gathered, and most people stand on the same few screens: a random
#: walk of 10,000 users through the real content met 1,587 distinct ones in 21,000 presses,
#: 91 % of them found among the last 1,024 (a few megabytes).
DRAWN_SCREENS = 1024


def step(
    content: Content, session: Session | None, event: ev.Event, translator: Translator
) -> Outcome:
    """Apply ``event`` to ``session`` and return the next state and screens.

    For one step; a long-running adapter keeps an :class:`Engine`, which remembers the
    screens it drew.
    """
    return Engine(content, translator, remember=0).step(session, event)


class Engine:
    """The engine for one content and one translator (both immutable).

    :meth:`step` is a pure function of the session and the event. Drawing a screen is most of
    its cost, so the last ``remember`` drawings are kept: one depends only on the view, the
    language and the facts (see :func:`bot.engine.render.draw`), never on who is looking.
    """

    def __init__(self, content: Content, translator: Translator, *, remember: int = DRAWN_SCREENS):
        """Set up; ``remember=0`` draws every screen afresh."""
        self.content = content
        self.translator = translator
        self.flow = content.main
        self._drawn = functools.lru_cache(maxsize=remember)(
            functools.partial(draw, content, translator)
        )

    # -- events -------------------------------------------------------------------------

    def step(self, session: Session | None, event: ev.Event) -> Outcome:
        """Apply ``event`` to ``session`` and return the next state and screens."""
        if isinstance(event, ev.Start):
            return self._start(session, event)
        if session is None:
            # No session (new user, expired, or wiped): any event begins afresh, except
            # that Hide must always work and Help now must always be one tap away.
            if isinstance(event, ev.Hide):
                return self._hide()
            if isinstance(event, ev.HelpNow | ev.HowTo | ev.ChooseLanguage | ev.ShowTopic):
                # A command typed before /start (or after expiry) does what it says.
                return self.step(self._new_session(self.translator.default_language, 0), event)
            return self._start(None, ev.Start())
        match event:
            case ev.Back():
                return self._back(session)
            case ev.Menu():
                return self._go(session, v.NodeView(self.flow.menu))
            case ev.HelpNow():
                return self._help(session)
            case ev.Hide():
                return self._hide()
            case ev.Reset():
                return self._reset(session)
            case ev.ChooseLanguage():
                return self._go(session, v.LANGUAGE)
            case ev.HowTo():
                return self._go(session, v.HOWTO)
            case ev.Unsupported():
                note = self._t(session)._("I can only read buttons and text messages.")
                return self._show(session, note=note)
            case ev.Press():
                return self._press(session, event)
            case ev.SetLanguage():
                return self._set_language(session, event.code)
            case ev.ShowTopic():
                node = self.flow.node(event.node)
                return self._go(session, v.NodeView(node.id)) if node else self._show(session)
            case ev.FreeText():
                return self._free_text(session, event.text)
        raise TypeError(f"unknown event {type(event).__name__}")

    def _t(self, session: Session) -> Text:
        return Text(self.translator, session.language)

    def _new_session(self, language: str, nonce_seed: int) -> Session:
        return Session(language=language, nonce=nonce_seed % NONCE_MODULUS)

    def _start(self, session: Session | None, event: ev.Start) -> Outcome:
        codes = [lang.code for lang in self.translator.languages]
        tallies = [Tally("start", event.campaign)]
        language = ""
        if event.language in codes:
            language = event.language
        elif session is not None and session.language in codes:
            language = session.language
        elif len(codes) == 1:
            language = codes[0]
        seed = event.nonce_seed if event.nonce_seed else (session.nonce if session else 0)
        fresh = self._new_session(language or self._hinted(event.language_hint), seed)
        if event.country and self.content.country(event.country.upper()) is not None:
            fresh = fresh.with_facts({"country": event.country.upper()})
        if not language:
            return self._show(fresh.with_view(str(v.LANGUAGE)), tallies=tallies)
        if event.language:
            tallies.append(Tally("language", language))
        return self._show(fresh.with_view(str(v.NodeView(self.flow.start))), tallies=tallies)

    def _hinted(self, hint: str) -> str:
        """The enabled language closest to a device's hint, else the default."""
        codes = [lang.code for lang in self.translator.languages]
        hint = hint.replace("-", "_")
        for code in codes:
            if code.lower() == hint.lower():
                return code
        base = hint.split("_")[0].lower()
        for code in codes:
            if code.split("_")[0].lower() == base:
                return code
        return self.translator.default_language

    def _press(self, session: Session, press: ev.Press) -> Outcome:
        if press.nonce != session.nonce or not 0 <= press.index < len(session.buttons):
            return self._show(
                session,
                note=self._t(session)._(
                    "That button belongs to an earlier screen. Here is where you are now."
                ),
            )
        match v.parse_action(session.buttons[press.index]):
            case v.Answer(option):
                return self._answer(session, option)
            case v.Simple("next"):
                node = self._node(session)
                if node is not None and node.next:
                    return self._go(session, v.NodeView(node.next))
            case v.Go(view):
                return self._go(session, view)
            case v.PickCountry(code):
                session = session.with_facts({"country": code})
                return self._show(session, tallies=[Tally("help", code)])
            case v.PickLanguage(code):
                return self._set_language(session, code)
            case v.Simple(name) if name in _SIMPLE:
                return self.step(session, _SIMPLE[name])
        return self._show(session)

    def _answer(self, session: Session, option_id: str) -> Outcome:
        node = self._node(session)
        option = next((o for o in node.options if o.id == option_id), None) if node else None
        if option is None or not holds(option.when, session.facts):
            return self._show(session)
        session = session.with_facts(dict(option.set))
        return self._go(session, v.NodeView(option.next))

    def _go(self, session: Session, view: v.View) -> Outcome:
        tallies = []
        if isinstance(view, v.NodeView):
            view = v.NodeView(shown_node(self.flow, view.node, session.facts))
            tallies.append(Tally("node", view.node))
        return self._show(session.with_view(str(view)), tallies=tallies)

    def _back(self, session: Session) -> Outcome:
        if not session.history:
            return self._go(session, v.NodeView(self.flow.menu))
        back = session.back()
        view = v.parse_view(back.view)
        node = self.flow.node(view.node) if isinstance(view, v.NodeView) else None
        if node is not None and node.type == "question":
            # Back to a question undoes its answer: the screens say what was recorded (the
            # country under the title), so what Back leaves behind must not linger there.
            back = back.without_facts(name for option in node.options for name, _ in option.set)
        return self._show(back)

    def _help(self, session: Session) -> Outcome:
        country = session.facts.get("country", "")
        return self._show(session.with_view(str(v.HELP)), tallies=[Tally("help", str(country))])

    def _hide(self) -> Outcome:
        neutral = Screen(text="✓")
        return Outcome(None, (neutral,), (Tally("exit", ""),), wipe=True)

    def _reset(self, session: Session) -> Outcome:
        fresh = replace(
            self._new_session(session.language, session.nonce),
            view=str(v.NodeView(self.flow.start)),
        )
        return self._show(
            fresh, note=self._t(fresh)._("Your answers are cleared. Let's start again.")
        )

    def _set_language(self, session: Session, code: str) -> Outcome:
        if code not in [lang.code for lang in self.translator.languages]:
            return self._show(session)
        session = session.with_language(code)
        tallies = [Tally("language", code)]
        if session.view == str(v.LANGUAGE):
            if session.history:
                return self._show(session.back(), tallies=tallies)
            start = str(v.NodeView(self.flow.start))
            return self._show(session.with_view(start, remember=False), tallies=tallies)
        return self._show(session, tallies=tallies)

    def _free_text(self, session: Session, text: str) -> Outcome:
        t = self._t(session)
        country = known_country(self.content, session.facts)
        others = [
            Text(self.translator, language.code).c
            for language in self.translator.languages
            if language.code != t.language.code
        ]
        found = suggest(self.content, country, text, t.c, others)
        if not found:
            return self._show(
                session,
                note=t._(
                    "Sorry, I did not understand. Please use the buttons, or type one or two words."
                ),
            )
        views: list[v.View] = [s.view for s in found]
        if any(s.danger for s in found) and v.HELP not in views:
            views.insert(0, v.HELP)
        return self._show(session.with_view(str(v.Suggestions(tuple(views)))))

    # -- showing ------------------------------------------------------------------------

    def _node(self, session: Session) -> Node | None:
        node_id = v.node_id(session.view)
        return self.flow.node(node_id) if node_id is not None else None

    def _show(self, session: Session, *, note: str = "", tallies: Iterable[Tally] = ()) -> Outcome:
        """Show the session's view as the next screen (with a new nonce)."""
        t = self._t(session)
        # Facts are strings and booleans (see Session.from_json): always a valid key.
        drawn = self._drawn(session.view, session.language, tuple(sorted(session.facts.items())))
        nonce = (session.nonce + 1) % NONCE_MODULUS
        screen = Screen(
            text=drawn.text,
            title=drawn.title,
            rows=drawn.rows,
            note=t.bidi(note),
            rtl=t.language.rtl,
            nonce=nonce,
            view=drawn.view,
            language=t.language.code,
        )
        session = session.with_screen(drawn.view, nonce, drawn.actions)
        return Outcome(session, (screen,), (*tallies, *drawn.tallies))


#: The actions that are events of their own.
_SIMPLE: dict[str, ev.Event] = {
    "back": ev.Back(),
    "menu": ev.Menu(),
    "help": ev.HelpNow(),
    "hide": ev.Hide(),
}
