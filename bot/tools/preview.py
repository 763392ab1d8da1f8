"""Static HTML pages of every screen, looking like a Telegram chat, linked like the buttons.

A reviewer checking a language clicks through the bot in a browser, without Telegram. The
pages come from the real engine, walked breadth first from the start in each language:

1. **Walk.** Every button of every screen is pressed. A state is identified by its language,
   its view and the *relevant* facts: those some condition tests (an option's or a pathway's
   ``when``) and ``country``; other facts change nothing a screen shows. The footer buttons
   are not walked as-is: **Menu** and **Help now** lead to the menu and the help page as a
   fresh conversation sees them (keeping only the country), so answers given on one path do
   not multiply the pages of every other path. **Back** goes back in the browser (the page
   you came from, exactly as in the chat) and links to the page it was first reached from.
   **Hide** leads to a page showing what is left after the quick exit.
2. **Merge.** States that show the same screen and whose buttons lead to pages that are the
   same in turn are one page (the coarsest such partition, found by refinement as in DFA
   minimisation). So the questions get one page each until an earlier answer changes what
   comes later, and the result screen gets one page per country and set of pathways shown:
   few pages, and every click leads where it leads in the bot.
"""

from __future__ import annotations

import re
import shutil
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from bot.content.model import Content, FactValue
from bot.engine import events as ev
from bot.engine.engine import step
from bot.engine.screens import Screen
from bot.engine.state import Session
from bot.engine.translator import Translator, language_of
from bot.tools.pages import render

STYLESHEET = "preview.css"
HIDDEN_PAGE = "hidden.html"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: Footer actions (see ``bot.engine.engine``) that the walk treats specially.
_FRESH_VIEWS = ("menu", "help")

#: A state's identity: language, view and the relevant facts (sorted).
StateKey = tuple[str, str, tuple[tuple[str, FactValue], ...]]


@dataclass
class _State:
    """One state of the walk: the session, its screen, and where each button leads."""

    key: StateKey
    session: Session
    screen: Screen
    #: The state this one was first reached from (where its Back link points).
    parent: StateKey | None
    #: Button index → target state; ``None`` for Hide, missing for Back and other languages.
    targets: dict[int, StateKey | None] = field(default_factory=dict)


@dataclass
class Page:
    """One page: a screen, with the page each button leads to (``None``: not linked)."""

    path: str
    language: str
    view: str
    screen: Screen
    #: The relevant facts of the first conversation that reached this page.
    facts: tuple[tuple[str, FactValue], ...]
    targets: dict[int, str | None] = field(default_factory=dict)
    #: Indexes of Back buttons: they go back in the browser, else to ``back``.
    back_buttons: frozenset[int] = frozenset()
    back: str | None = None


@dataclass
class Preview:
    """Every page in walk order, each language's first page, and the Hide pages."""

    pages: list[Page]
    starts: dict[str, str]
    hidden: dict[str, Screen]


def relevant_facts(content: Content) -> frozenset[str]:
    """The facts some condition tests, plus ``country`` (which picks the country's data)."""
    facts = {"country"}
    for flow in content.flows:
        for node in flow.nodes:
            for option in node.options:
                facts.update(clause.fact for clause in option.when)
    for country in content.countries:
        for pathway in country.pathways:
            facts.update(clause.fact for clause in pathway.when)
    return frozenset(facts)


def state_key(session: Session, relevant: frozenset[str]) -> StateKey:
    """The identity of the state ``session`` is in (see the module docstring)."""
    facts = tuple(sorted((k, v) for k, v in session.facts.items() if k in relevant))
    return (session.language, session.view, facts)


def _walk(
    content: Content, translator: Translator, languages: list[str]
) -> tuple[dict[StateKey, _State], dict[str, StateKey], dict[str, Screen]]:
    relevant = relevant_facts(content)
    states: dict[StateKey, _State] = {}
    starts: dict[str, StateKey] = {}
    hidden: dict[str, Screen] = {}
    queue: deque[_State] = deque()

    def visit(session: Session, screen: Screen, parent: StateKey | None) -> StateKey | None:
        key = state_key(session, relevant)
        if key[0] not in languages:
            return None  # a language this preview does not include
        if key not in states:
            states[key] = _State(key, session, screen, parent)
            queue.append(states[key])
        return key

    for language in languages:
        outcome = step(content, None, ev.Start(language=language), translator)
        assert outcome.session is not None
        key = visit(outcome.session, outcome.screens[-1], None)
        assert key is not None
        starts[language] = key
    #: Where Menu and Help now lead, by (language, country, action): they ignore the rest.
    fresh: dict[tuple[str, FactValue | None, str], StateKey | None] = {}
    while queue:
        state = queue.popleft()
        session = state.session
        for button in state.screen.buttons:
            action = session.buttons[button.index]
            if action == "back":
                continue
            pressed = session
            if action in _FRESH_VIEWS:
                cache_key = (session.language, session.facts.get("country"), action)
                if cache_key in fresh:
                    state.targets[button.index] = fresh[cache_key]
                    continue
                # As a fresh conversation in this country would see it.
                country = {k: v for k, v in session.facts.items() if k == "country"}
                pressed = replace(session, facts=country, history=())
            outcome = step(content, pressed, ev.Press(pressed.nonce, button.index), translator)
            if outcome.session is None:
                hidden.setdefault(state.key[0], outcome.screens[-1])
                state.targets[button.index] = None
                continue
            target = visit(outcome.session, outcome.screens[-1], state.key)
            if action in _FRESH_VIEWS:
                fresh[cache_key] = target
            if target is not None:
                state.targets[button.index] = target
    return states, starts, hidden


def _screen_signature(state: _State) -> tuple[object, ...]:
    screen = state.screen
    labels = tuple(tuple(b.label for b in row) for row in screen.rows)
    return (state.key[0], state.key[1], screen.title, screen.text, screen.note, labels)


def _merge(states: dict[StateKey, _State]) -> dict[StateKey, int]:
    """Class number of every state: same screen, buttons leading to the same classes."""
    numbering: dict[object, int] = {}
    classes = {
        key: numbering.setdefault(_screen_signature(s), len(numbering)) for key, s in states.items()
    }
    count = len(numbering)
    while True:
        numbering = {}
        refined = {}
        for key, state in states.items():
            targets = tuple(
                (index, None if target is None else classes[target])
                for index, target in sorted(state.targets.items())
            )
            refined[key] = numbering.setdefault((classes[key], targets), len(numbering))
        if len(numbering) == count:
            return refined
        classes, count = refined, len(numbering)


def page_name(view: str, number: int) -> str:
    """``node-result.html``, then ``node-result-2.html``...: safe as a file name."""
    name = _UNSAFE.sub("_", view.replace(":", "-")) or "start"
    return f"{name}.html" if number == 1 else f"{name}-{number}.html"


def explore(content: Content, translator: Translator, languages: Iterable[str]) -> Preview:
    """Walk the engine in each language and merge equivalent states into pages."""
    chosen = list(languages)
    states, starts, hidden = _walk(content, translator, chosen)
    classes = _merge(states)
    representative: dict[int, _State] = {}
    for key, state in states.items():  # walk order: the first state is the simplest
        representative.setdefault(classes[key], state)
    paths: dict[int, str] = {}
    per_view: dict[tuple[str, str], int] = {}
    for number, state in representative.items():
        language, view, _ = state.key
        count = per_view[(language, view)] = per_view.get((language, view), 0) + 1
        paths[number] = f"{_UNSAFE.sub('_', language)}/{page_name(view, count)}"
    pages = []
    for number, state in representative.items():
        language = state.key[0]
        back_buttons = frozenset(
            i for i, action in enumerate(state.session.buttons) if action == "back"
        )
        pages.append(
            Page(
                path=paths[number],
                language=language,
                view=state.key[1],
                screen=state.screen,
                facts=state.key[2],
                targets={
                    index: f"{language}/{HIDDEN_PAGE}" if target is None else paths[classes[target]]
                    for index, target in state.targets.items()
                },
                back_buttons=back_buttons,
                back=paths[classes[state.parent]] if state.parent is not None else None,
            )
        )
    return Preview(pages, {lang: paths[classes[key]] for lang, key in starts.items()}, hidden)


def write_preview(preview: Preview, translator: Translator, out: Path) -> list[Path]:
    """Write every page, an index per language and one for all; returns the index files."""
    out.mkdir(parents=True, exist_ok=True)
    css = resources.files("bot.tools").joinpath("static", STYLESHEET)
    with resources.as_file(css) as source:
        shutil.copyfile(source, out / STYLESHEET)
    by_language: dict[str, list[Page]] = {}
    for page in preview.pages:
        by_language.setdefault(page.language, []).append(page)
    alternates: dict[tuple[str, tuple[tuple[str, FactValue], ...]], dict[str, str]] = {}
    for page in preview.pages:
        alternates.setdefault((page.view, page.facts), {})[page.language] = page.path
    for page in preview.pages:
        others = alternates[(page.view, page.facts)]
        _write(out / page.path, render_page(page, translator, others))
    for language, screen in preview.hidden.items():
        _write(
            out / language / HIDDEN_PAGE,
            render_hidden(screen, language, translator, preview.starts[language]),
        )
    indexes = []
    for language, pages in by_language.items():
        path = out / language / "index.html"
        _write(path, render_language_index(language, pages, translator, preview.starts[language]))
        indexes.append(path)
    top = out / "index.html"
    _write(top, render_index(translator, sorted(by_language)))
    return [top, *indexes]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- HTML (templates/preview_*.html) ------------------------------------------------------


def _relative(from_path: str, to_path: str) -> str:
    """A link from one page to another (both ``<lang>/<file>``)."""
    source_dir = from_path.rpartition("/")[0]
    target_dir, _, target_file = to_path.rpartition("/")
    return target_file if source_dir == target_dir else f"../{to_path}"


def _facts_text(facts: tuple[tuple[str, FactValue], ...]) -> str:
    return ", ".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in facts)


def render_page(page: Page, translator: Translator, alternates: dict[str, str]) -> str:
    """One screen as a chat page: the message bubble, then the inline keyboard as links."""
    language = language_of(translator, page.language)
    rows = []
    for row in page.screen.rows:
        cells = []
        for button in row:
            target = page.targets.get(button.index)
            back = button.index in page.back_buttons
            if back:
                # Back in the chat is the screen before; in the browser, the page before.
                href: str | None = _relative(page.path, page.back) if page.back else "index.html"
            else:
                href = _relative(page.path, target) if target is not None else None
            cells.append({"label": button.label, "href": href, "back": back})
        rows.append(cells)
    return render(
        "preview_page.html",
        stylesheet=STYLESHEET,
        language=language.code,
        rtl=language.rtl,
        title=page.screen.title or page.view,
        root="../",
        page=page,
        screen=page.screen,
        facts=_facts_text(page.facts),
        alternates=[
            (code, _relative(page.path, path))
            for code, path in sorted(alternates.items())
            if code != page.language
        ],
        rows=rows,
    )


def render_hidden(screen: Screen, language: str, translator: Translator, start: str) -> str:
    """What is left after Hide: the neutral line the bot leaves, and a way back in."""
    lang = language_of(translator, language)
    return render(
        "preview_hidden.html",
        stylesheet=STYLESHEET,
        language=lang.code,
        rtl=lang.rtl,
        title="Hide",
        root="../",
        code=language,
        screen=screen,
        start=_relative(f"{language}/{HIDDEN_PAGE}", start),
    )


def render_language_index(
    language: str, pages: list[Page], translator: Translator, start: str
) -> str:
    """Every screen of one language, grouped by view, with the facts that led there."""
    lang = language_of(translator, language)
    here = f"{language}/index.html"
    by_view: dict[str, list[Page]] = {}
    for page in pages:
        by_view.setdefault(page.view, []).append(page)
    groups = []
    for view, variants in by_view.items():
        screen = variants[0].screen
        links = [
            {"href": _relative(here, p.path), "facts": _facts_text(p.facts) or "no answers yet"}
            for p in variants
        ]
        # Screens without a title are named by the start of their text.
        title = screen.title or " ".join(screen.text.split())[:60] or view
        groups.append({"title": title, "view": view, "links": links})
    return render(
        "preview_language.html",
        stylesheet=STYLESHEET,
        language=lang.code,
        rtl=lang.rtl,
        title=lang.native_name,
        root="../",
        code=language,
        native_name=lang.native_name,
        count=len(pages),
        start=_relative(here, start),
        groups=groups,
    )


def render_index(translator: Translator, languages: list[str]) -> str:
    """The entry page: one link per language."""
    return render(
        "preview_index.html",
        stylesheet=STYLESHEET,
        language="en",
        rtl=False,
        title="Languages",
        root="",
        languages=[language_of(translator, code) for code in languages],
    )
