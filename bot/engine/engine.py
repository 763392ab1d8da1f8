"""The conversation engine: ``step(content, session, event, translator)``.

Pure: no Telegram, no database, no clock, no randomness. Each step turns an event into the
next session and the screens to show, plus anonymous tallies for the counters.

Every button of a screen is stored in ``Session.buttons`` as an action string, and a press
reports only the screen's nonce and the button's index. So callback data stays tiny, a forged
index cannot reach anything the screen did not offer, and an old keyboard (wrong nonce) can
never apply an old answer. Actions:

``opt:<option>``  answer the current question      ``next``         continue an info screen
``go:<view>``     open a view                      ``country:<CC>`` pick the country (Help now)
``lang:<code>``   switch language                  ``back`` ``menu`` ``help`` ``hide``
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.content.model import (
    Content,
    Country,
    FactValue,
    Node,
    Organisation,
    Pathway,
    PhoneLine,
    Statement,
)
from bot.content.phones import ANY_COUNTRY, display_number
from bot.engine import events as ev
from bot.engine.bidi import isolate_ltr_runs
from bot.engine.freetext import suggest
from bot.engine.pathways import country_for, helping_organisations, holds, matching_pathways
from bot.engine.screens import Button, Screen, Tally
from bot.engine.state import NONCE_MODULUS, Session
from bot.engine.translator import N_, Translator, format_day, language_of


@dataclass(frozen=True)
class Outcome:
    """The result of a step: the new session (``None``: forget it) and what to show."""

    session: Session | None
    screens: tuple[Screen, ...]
    tallies: tuple[Tally, ...] = ()
    #: Quick exit: the adapter deletes the conversation's messages.
    wipe: bool = False


#: The node ``/privacy`` opens (the adapters send ``ShowTopic("about")``).
PRIVACY_NODE = "about"
#: Said on the privacy screen in a language no native speaker has checked yet.
MACHINE_TRANSLATION_NOTE = N_(
    "This language was translated by machine and not yet checked by a native speaker. "
    "If something is unclear, ask an organisation, or change the language with /language."
)


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


class _Text:
    """Translation helpers bound to one language."""

    def __init__(self, translator: Translator, language: str) -> None:
        self.translator = translator
        self.language = language_of(translator, language)

    def _(self, message: str, **values: object) -> str:
        """A Python-side message, translated, with ``{placeholders}`` filled in."""
        return _fill(self.translator.gettext(self.language.code, message), message, values)

    def n_(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A plural message for count ``n``."""
        text = self.translator.ngettext(self.language.code, singular, plural, n)
        return _fill(text, singular if n == 1 else plural, {"n": n, **values})

    def c(self, text: str, context: str = "") -> str:
        """A content string, translated."""
        return self.translator.gettext(self.language.code, text, context) if text else ""

    def day(self, value: dt.date) -> str:
        """A date in the user's language."""
        return format_day(self.language.code, value)


def _fill(translated: str, source: str, values: dict[str, object]) -> str:
    """Fill ``{placeholders}``; a translation with broken ones falls back to the source.

    CI rejects such catalogs, but a user must never see a crash for a translator's typo.
    """
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return source.format(**values)


class _Builder:
    """Collects the text and buttons of one screen."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []

    def para(self, *lines: str) -> None:
        """Add a paragraph (lines are joined, empty ones dropped)."""
        text = "\n".join(line for line in lines if line)
        if text:
            self.lines.append(text)

    def button(self, label: str, action: str, *, same_row: bool = False) -> None:
        """Add a button on its own row, or beside the previous one."""
        if same_row and self.rows:
            self.rows[-1].append((label, action))
        else:
            self.rows.append([(label, action)])


@dataclass(frozen=True)
class _Drawn:
    """A view drawn in one language for one set of facts: a screen but for its nonce and
    note, with the action of each button and the tallies that showing it counts."""

    view: str
    title: str
    text: str
    rows: tuple[tuple[Button, ...], ...]
    actions: tuple[str, ...]
    tallies: tuple[Tally, ...]


class Engine:
    """The engine for one content and one translator (both immutable).

    :meth:`step` is a pure function of the session and the event. Drawing a screen is most of
    its cost, so the last ``remember`` drawings are kept: one depends only on the view, the
    language and the facts (see :meth:`_draw`), never on who is looking.
    """

    def __init__(self, content: Content, translator: Translator, *, remember: int = DRAWN_SCREENS):
        """Set up; ``remember=0`` draws every screen afresh."""
        self.content = content
        self.translator = translator
        self.flow = content.main
        self._drawn = functools.lru_cache(maxsize=remember)(self._draw)

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
                return self._go(session, f"node:{self.flow.menu}")
            case ev.HelpNow():
                return self._help(session)
            case ev.Hide():
                return self._hide()
            case ev.Reset():
                return self._reset(session)
            case ev.ChooseLanguage():
                return self._go(session, "language")
            case ev.HowTo():
                return self._go(session, "howto")
            case ev.Unsupported():
                note = self._t(session)._("I can only read buttons and text messages.")
                return self._show(session, note=note)
            case ev.Press():
                return self._press(session, event)
            case ev.SetLanguage():
                return self._set_language(session, event.code)
            case ev.ShowTopic():
                node = self.flow.node(event.node)
                return self._go(session, f"node:{node.id}") if node else self._show(session)
            case ev.FreeText():
                return self._free_text(session, event.text)
        raise TypeError(f"unknown event {type(event).__name__}")

    def _t(self, session: Session) -> _Text:
        return _Text(self.translator, session.language)

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
            return self._show(fresh.with_view("language"), tallies=tallies)
        if event.language:
            tallies.append(Tally("language", language))
        return self._show(fresh.with_view(f"node:{self.flow.start}"), tallies=tallies)

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
        t = self._t(session)
        if press.nonce != session.nonce or not 0 <= press.index < len(session.buttons):
            return self._show(
                session,
                note=t._("That button belongs to an earlier screen. Here is where you are now."),
            )
        action = session.buttons[press.index]
        kind, _, arg = action.partition(":")
        if kind == "opt":
            return self._answer(session, arg)
        if kind == "next":
            node = self._node(session)
            if node is not None and node.next:
                return self._go(session, f"node:{node.next}")
        if kind == "go":
            return self._go(session, arg)
        if kind == "country":
            session = session.with_facts({"country": arg})
            return self._show(session, tallies=[Tally("help", arg)])
        if kind == "lang":
            return self._set_language(session, arg)
        simple: dict[str, ev.Event] = {
            "back": ev.Back(),
            "menu": ev.Menu(),
            "help": ev.HelpNow(),
            "hide": ev.Hide(),
        }
        if kind in simple:
            return self.step(session, simple[kind])
        return self._show(session)

    def _answer(self, session: Session, option_id: str) -> Outcome:
        node = self._node(session)
        option = next((o for o in node.options if o.id == option_id), None) if node else None
        if option is None or not holds(option.when, session.facts):
            return self._show(session)
        session = session.with_facts(dict(option.set))
        return self._go(session, f"node:{option.next}")

    def _go(self, session: Session, view: str) -> Outcome:
        tallies = []
        if view.startswith("node:"):
            view = f"node:{self._asked(view[5:], session)}"
            tallies.append(Tally("node", view[5:]))
        return self._show(session.with_view(view), tallies=tallies)

    def _asked(self, node_id: str, session: Session) -> str:
        """The node to show for ``node_id``: it, or where it leads when its ``when`` fails.

        A node with a condition (say, a question that matters only in EU countries) is
        skipped for users whose facts do not match; the loop guard stops a cycle of skips.
        """
        node = self.flow.node(node_id)
        seen: set[str] = set()
        while (
            node is not None
            and node.when
            and node.next
            and node.id not in seen
            and not holds(node.when, session.facts)
        ):
            seen.add(node.id)
            node = self.flow.node(node.next)
        return node.id if node is not None else node_id

    def _back(self, session: Session) -> Outcome:
        if not session.history:
            return self._go(session, f"node:{self.flow.menu}")
        return self._show(session.back())

    def _help(self, session: Session) -> Outcome:
        country = session.facts.get("country", "")
        return self._show(session.with_view("help"), tallies=[Tally("help", str(country))])

    def _hide(self) -> Outcome:
        neutral = Screen(text="✓")
        return Outcome(None, (neutral,), (Tally("exit", ""),), wipe=True)

    def _reset(self, session: Session) -> Outcome:
        fresh = replace(
            self._new_session(session.language, session.nonce),
            view=f"node:{self.flow.start}",
        )
        return self._show(
            fresh, note=self._t(fresh)._("Your answers are cleared. Let's start again.")
        )

    def _set_language(self, session: Session, code: str) -> Outcome:
        if code not in [lang.code for lang in self.translator.languages]:
            return self._show(session)
        session = session.with_language(code)
        tallies = [Tally("language", code)]
        if session.view == "language":
            if session.history:
                return self._show(session.back(), tallies=tallies)
            start = f"node:{self.flow.start}"
            return self._show(session.with_view(start, remember=False), tallies=tallies)
        return self._show(session, tallies=tallies)

    def _free_text(self, session: Session, text: str) -> Outcome:
        t = self._t(session)
        country = self._known_country(session)
        others = [
            _Text(self.translator, language.code).c
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
        views = [s.view for s in found]
        if any(s.danger for s in found) and "help" not in views:
            views.insert(0, "help")
        return self._show(session.with_view("suggest:" + "|".join(views)))

    # -- rendering ----------------------------------------------------------------------

    def _node(self, session: Session) -> Node | None:
        if session.view.startswith("node:"):
            return self.flow.node(session.view[5:])
        return None

    def _known_country(self, session: Session) -> Country | None:
        code = session.facts.get("country")
        return self.content.country(code) if isinstance(code, str) else None

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
            note=self._bidi(t, note),
            rtl=t.language.rtl,
            nonce=nonce,
            view=drawn.view,
            language=t.language.code,
        )
        session = session.with_screen(drawn.view, nonce, drawn.actions)
        return Outcome(session, (screen,), (*tallies, *drawn.tallies))

    def _draw(self, view: str, language: str, facts: tuple[tuple[str, FactValue], ...]) -> _Drawn:
        """Draw ``view`` in ``language`` for ``facts``.

        It is given only these three, so what it draws cannot depend on anything else of a
        session (its history, nonce or buttons): that is what makes remembering it safe.
        """
        session = Session(language, view, facts=dict(facts))
        t = self._t(session)
        b = _Builder()
        title, shown, tallies = self._render(session, t, b)
        self._footer(shown, t, b)
        actions: list[str] = []
        rows = []
        for row in b.rows:
            buttons = []
            for label, action in row:
                buttons.append(Button(self._bidi(t, label), len(actions)))
                actions.append(action)
            rows.append(tuple(buttons))
        return _Drawn(
            view=shown,
            title=self._bidi(t, title),
            text=self._bidi(t, "\n\n".join(b.lines)),
            rows=tuple(rows),
            actions=tuple(actions),
            tallies=tuple(tallies),
        )

    @staticmethod
    def _bidi(t: _Text, text: str) -> str:
        return isolate_ltr_runs(text) if t.language.rtl and text else text

    def _footer(self, view: str, t: _Text, b: _Builder) -> None:
        # Translators: button label
        b.button(t._("◀ Back"), "back")
        # Translators: button label
        b.button(t._("☰ Menu"), "menu", same_row=True)
        if view != "help":
            # Translators: button label
            b.button(t._("🆘 Help now"), "help")
            # Translators: button label
            b.button(t._("✖ Hide"), "hide", same_row=True)
        else:
            b.button(t._("✖ Hide"), "hide")

    def _render(self, session: Session, t: _Text, b: _Builder) -> tuple[str, str, list[Tally]]:
        """Fill ``b`` for the session's view; returns (title, view actually shown, tallies)."""
        view = session.view
        kind, _, arg = view.partition(":")
        if kind == "language":
            return self._render_languages(session, t, b), view, []
        if kind == "help":
            return self._render_help(session, t, b), view, []
        if kind == "howto":
            return self._render_howto(t, b), view, []
        if kind == "orgs":
            return self._render_orgs(session, t, b), view, []
        if kind == "suggest":
            return self._render_suggestions(session, arg.split("|"), t, b), view, []
        if kind == "pathway":
            found = self.content.pathway(arg)
            if found is not None:
                return self._render_pathway(session, found[0], found[1], t, b), view, []
        if kind == "node":
            # A stored view may name a node whose condition no longer holds (Back after the
            # country changed): show the node the user would reach now.
            node = self.flow.node(self._asked(arg, session))
            if node is not None:
                return self._render_node(session, node, t, b)
        # The view no longer exists (content changed since the session was saved).
        menu = self.flow.node(self.flow.menu)
        assert menu is not None
        return self._render_node(session, menu, t, b)

    def _render_node(
        self, session: Session, node: Node, t: _Text, b: _Builder
    ) -> tuple[str, str, list[Tally]]:
        tallies: list[Tally] = []
        view = f"node:{node.id}"
        if node.type == "result":
            tallies = self._render_result(session, node, t, b)
            return t.c(node.title, node.context), view, tallies
        b.para(t.c(node.text, node.context))
        if node.id == PRIVACY_NODE and not t.language.reviewed:
            b.para(t._(MACHINE_TRANSLATION_NOTE))
        if node.reviewed is not None:
            b.para(self._provenance_line(t, node.reviewed, node.confidence, self._whom(session, t)))
        if "emergency" in node.show:
            self._help_block(self._known_country(session), t, b)
        country = country_for(self.content, session.facts)
        if "organisations" in node.show and country is not None:
            self._organisations_block(country, country.organisations, t, b)
        for option in node.options:
            if holds(option.when, session.facts):
                b.button(t.c(option.label, node.context), f"opt:{option.id}")
        if node.next and node.type != "question":
            # On a question, ``next`` is only where a skipped question leads (see ``when``).
            # Translators: button label
            b.button(t._("Continue ▶"), "next")
        return t.c(node.title, node.context), view, tallies

    def _render_result(self, session: Session, node: Node, t: _Text, b: _Builder) -> list[Tally]:
        country = country_for(self.content, session.facts)
        if country is None:
            b.para(
                t._("I need to know which country you are in first. Please go back and choose it.")
            )
            return []
        pathways = matching_pathways(country, session.facts)
        b.para(t.c(node.text, node.context))
        if not pathways:
            b.para(
                t._(
                    "I found no route that fits every answer. An organisation below can look at your situation with you."
                )
            )
        for number, pathway in enumerate(pathways, start=1):
            b.para(
                f"{number}. {t.c(pathway.title)}",
                f"⚖ {self._statement(t, pathway.legal_basis, self._whom_for(country, pathway, t))}",
            )
            b.button(f"{number}. {t.c(pathway.title)}", f"go:pathway:{pathway.id}")
        orgs = helping_organisations(country, pathways, session.language)
        if orgs:
            self._organisations_block(country, orgs, t, b, short=True)
            # Translators: button label
            b.button(t._("Who can help"), "go:orgs")
        reviewed = [p.reviewed for p in pathways] + [o.reviewed for o in orgs]
        if reviewed:
            b.para(t._("Checked: {date}", date=t.day(min(reviewed))))
        return [Tally("node", node.id), *(Tally("pathway", p.id) for p in pathways)]

    def _render_pathway(
        self, session: Session, country: Country, pathway: Pathway, t: _Text, b: _Builder
    ) -> str:
        whom = self._whom_for(country, pathway, t)
        b.para(self._statement(t, pathway.summary, whom))
        if pathway.fits_because and holds(pathway.when, session.facts):
            b.para(t._("Why it may fit you: {reason}", reason=t.c(pathway.fits_because)))
        labels = {
            "legal_basis": t._("⚖ Legal basis"),
            "decides": t._("🏛 Who decides"),
            "gives": t._("✅ What it gives"),
            "conditions": t._("📋 Conditions"),
            "first_step": t._("👣 First step"),
            "caution": t._("⚠ Be aware"),
        }
        for name, statement in pathway.statements():
            if name in labels:
                b.para(f"{labels[name]}: {self._statement(t, statement, whom)}")
        orgs = helping_organisations(country, [pathway], session.language)
        if orgs:
            self._organisations_block(country, orgs, t, b, short=True)
            # Translators: button label
            b.button(t._("Who can help"), "go:orgs")
        dates = [s.reviewed for _, s in pathway.statements()] + [o.reviewed for o in orgs]
        b.para(t._("Checked: {date}", date=t.day(min(dates))))
        return t.c(pathway.title)

    def _render_orgs(self, session: Session, t: _Text, b: _Builder) -> str:
        country = country_for(self.content, session.facts)
        if country is None or not country.organisations:
            b.para(
                t._("I have no organisations listed for this country yet. In danger, use Help now.")
            )
            return t._("Who can help")
        orgs = helping_organisations(country, [], session.language)
        self._organisations_block(country, orgs, t, b)
        b.para(t._("Checked: {date}", date=t.day(min(o.reviewed for o in orgs))))
        return t._("Who can help")

    def _render_help(self, session: Session, t: _Text, b: _Builder) -> str:
        country = self._known_country(session)
        self._help_block(country, t, b)
        if country is not None:
            return t._("🆘 Help now: {country}", country=t.c(country.name))
        return t._("🆘 Help now")

    def _help_block(self, country: Country | None, t: _Text, b: _Builder) -> None:
        """The Help now numbers: the country's, or every country's with a button for each.

        Shared by the Help now screen and by nodes with ``show: [emergency]``, so a person
        in danger sees the same numbers wherever they ask.
        """
        if country is not None:
            self._emergency_block(country, t, b)
            lines = [
                self._phone(country, org, line, t)
                for org in country.organisations
                for line in org.phones[:1]
            ]
            if lines:
                b.para(t._("Support lines:"), *lines)
            dates = [line.reviewed for line in country.emergency] + [
                o.reviewed for o in country.organisations
            ]
            b.para(t._("Checked: {date}", date=t.day(min(dates))))
            return
        b.para(t._("If you are in danger, call the emergency number of the country you are in:"))
        for other in self.content.countries:
            numbers = ", ".join(
                f"{t.c(line.label)} {display_number(line.phone, other.id)}"
                for line in other.emergency
            )
            b.para(f"{t.c(other.name)}: {numbers}")
            if other.id != ANY_COUNTRY:
                b.button(
                    t.c(other.name),
                    f"country:{other.id}",
                    same_row=bool(b.rows) and len(b.rows[-1]) < 2,
                )
        dates = [line.reviewed for c in self.content.countries for line in c.emergency]
        if dates:
            b.para(t._("Checked: {date}", date=t.day(min(dates))))
        b.para(t._("Choose your country to see its support lines."))

    def _render_howto(self, t: _Text, b: _Builder) -> str:
        b.para(
            t._(
                'Tap the buttons to answer. You can also type one or two words, such as "danger" or "asylum".'
            )
        )
        b.para(
            t._("At the bottom of every screen:"),
            t._("◀ Back: the previous screen"),
            t._("☰ Menu: all topics"),
            t._("🆘 Help now: emergency numbers"),
            t._("✖ Hide: delete this conversation at once"),
        )
        b.para(
            t._("Commands:"),
            t._("/start: begin again"),
            t._("/language: change the language"),
            t._("/privacy: what we keep and what we do not"),
            t._("/reset: forget your answers"),
            t._("/exit: delete this conversation"),
        )
        return t._("How to use this bot")

    def _render_languages(self, session: Session, t: _Text, b: _Builder) -> str:
        b.para(t._("Choose your language."))
        languages = list(self.translator.languages)
        if any(not lang.reviewed for lang in languages):
            b.para(t._("* Translated by machine, not yet checked by a native speaker."))
        for i, lang in enumerate(languages):
            label = lang.native_name + ("" if lang.reviewed else " *")
            b.button(label, f"lang:{lang.code}", same_row=i % 2 == 1)
        return "🌐"

    def _render_suggestions(self, session: Session, views: list[str], t: _Text, b: _Builder) -> str:
        b.para(t._("This may be what you are looking for:"))
        shown: set[str] = set()
        for view in views:
            label = self._view_label(view, t)
            # Two buttons that read the same (the Help now topic beside "🆘 Help now") would
            # only make the choice harder: keep the first.
            key = "".join(ch for ch in label.casefold() if ch.isalnum())
            if label and key not in shown:
                shown.add(key)
                b.button(label, "help" if view == "help" else f"go:{view}")
        return ""

    def _view_label(self, view: str, t: _Text) -> str:
        kind, _, arg = view.partition(":")
        if kind == "help":
            return t._("🆘 Help now")
        if kind == "node":
            node = self.flow.node(arg)
            return t.c(node.title or node.id, node.context) if node else ""
        if kind == "pathway":
            found = self.content.pathway(arg)
            return t.c(found[1].title) if found else ""
        return ""

    # -- blocks -------------------------------------------------------------------------

    def _emergency_block(self, country: Country, t: _Text, b: _Builder) -> None:
        lines = [self._phone(country, None, line, t) for line in country.emergency]
        b.para(t._("Emergency numbers ({country}):", country=t.c(country.name)), *lines)
        if country.emergency_note:
            b.para(t.c(country.emergency_note))

    def _organisations_block(
        self,
        country: Country,
        orgs: list[Organisation] | tuple[Organisation, ...],
        t: _Text,
        b: _Builder,
        *,
        short: bool = False,
    ) -> None:
        if short:
            lines = [
                self._phone(country, org, org.phones[0], t, brief=True)
                if org.phones
                else f"• {t.c(org.name)}"
                for org in orgs
            ]
            b.para(t._("Who can help:"), *lines)
            return
        for org in orgs:
            summary = Statement(
                text=org.summary,
                sources=org.sources,
                reviewed=org.reviewed,
                confidence=org.confidence,
            )
            name = t.c(org.name)
            lines = [f"• {name}", self._statement(t, summary, name)]
            lines += [self._phone(country, None, line, t, bullet="☎") for line in org.phones]
            if org.cities:
                cities = ", ".join(t.c(city) for city in org.cities)
                lines.append(t._("Where: {cities}", cities=cities))
            if org.email:
                lines.append(f"✉ {org.email}")
            if org.website:
                lines.append(f"🌐 {org.website}")
            b.para(*lines)

    def _phone(
        self,
        country: Country,
        org: Organisation | None,
        line: PhoneLine,
        t: _Text,
        *,
        bullet: str = "•",
        brief: bool = False,
    ) -> str:
        """One phone line; ``brief`` leaves out hours and notes (lists of several lines)."""
        owner = f"{t.c(org.name)}, " if org is not None else ""
        text = f"{bullet} {owner}{t.c(line.label)}: {display_number(line.phone, country.id)}"
        if line.hours and not brief:
            text += f" ({t.c(line.hours)})"
        if line.note and not brief:
            text += f". {t.c(line.note)}"
        if line.confidence != "high":
            text += " " + t._("(not fully confirmed: check before you rely on it)")
        return text

    def _statement(self, t: _Text, statement: Statement, whom: str) -> str:
        text = t.c(statement.text)
        if statement.confidence == "medium":
            text += " " + t._("(Please check: ask {whom} to confirm.)", whom=whom)
        elif statement.confidence == "low":
            text += " " + t._("(Not confirmed: ask {whom} before you rely on this.)", whom=whom)
        elif statement.confidence == "unverified":
            text += " " + t._("(We could not confirm this yet: ask {whom}.)", whom=whom)
        return text

    def _provenance_line(self, t: _Text, reviewed: dt.date, confidence: str, whom: str) -> str:
        line = t._("Checked: {date}", date=t.day(reviewed))
        if confidence != "high":
            line += " " + t._("(Please check: ask {whom} to confirm.)", whom=whom)
        return line

    def _whom(self, session: Session, t: _Text) -> str:
        country = country_for(self.content, session.facts)
        if country is not None and country.organisations:
            return t.c(country.organisations[0].name)
        return t._("a support organisation")

    def _whom_for(self, country: Country, pathway: Pathway, t: _Text) -> str:
        for org_id in pathway.organisations:
            org = country.organisation(org_id)
            if org is not None:
                return t.c(org.name)
        return (
            t.c(country.organisations[0].name)
            if country.organisations
            else t._("a support organisation")
        )
