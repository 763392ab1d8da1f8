"""Views and actions: the grammar every stored session holds, parsed and printed in one place."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import Content, load_content
from bot.engine import events as ev
from bot.engine import views as v
from bot.engine.engine import step
from bot.engine.state import Session
from bot.engine.translator import SourceTranslator
from tests.conftest import ROOT, TODAY
from tests.support.walk import State, press, start
from tests.test_golden import SCENARIOS

#: Ids as the content writes them (slugs), and codes such as ``RS`` or ``zh_Hans``.
ids = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)
pages = st.sampled_from([v.LANGUAGE, v.HELP, v.HOWTO, v.ORGS])
plain_views: st.SearchStrategy[v.View] = st.one_of(
    ids.map(v.NodeView), ids.map(v.PathwayView), pages
)
unknown_views = st.text(max_size=30).filter(
    lambda text: isinstance(v.parse_view(text), v.UnknownView)
)
views: st.SearchStrategy[v.View] = st.one_of(
    plain_views,
    st.lists(plain_views, min_size=1, max_size=5).map(lambda vs: v.Suggestions(tuple(vs))),
    unknown_views.map(v.UnknownView),
)
unknown_actions = st.text(max_size=30).filter(
    lambda text: isinstance(v.parse_action(text), v.UnknownAction)
)
actions: st.SearchStrategy[v.Action] = st.one_of(
    ids.map(v.Answer),
    views.map(v.Go),
    ids.map(v.PickCountry),
    ids.map(v.PickLanguage),
    st.sampled_from([v.BACK, v.MENU, v.HELP_NOW, v.HIDE, v.NEXT]),
    unknown_actions.map(v.UnknownAction),
)


@given(views)
def test_every_view_round_trips(view: v.View) -> None:
    assert v.parse_view(str(view)) == view


@given(actions)
def test_every_action_round_trips(action: v.Action) -> None:
    assert v.parse_action(str(action)) == action


@given(st.text(max_size=40))
def test_any_string_parses_and_prints_back(text: str) -> None:
    # A stored session may hold anything (an older version, a damaged row): never raises.
    assert str(v.parse_view(text)) == text
    assert str(v.parse_action(text)) == text


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("node:welcome", v.NodeView("welcome")),
        ("pathway:rs_asylum", v.PathwayView("rs_asylum")),
        ("help", v.HELP),
        ("suggest:help|node:signs", v.Suggestions((v.HELP, v.NodeView("signs")))),
        ("", v.UnknownView("")),
    ],
)
def test_todays_view_strings(text: str, parsed: v.View) -> None:
    assert v.parse_view(text) == parsed


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("opt:safe", v.Answer("safe")),
        ("go:pathway:at_asylum", v.Go(v.PathwayView("at_asylum"))),
        ("go:orgs", v.Go(v.ORGS)),
        ("country:RS", v.PickCountry("RS")),
        ("lang:zh_Hans", v.PickLanguage("zh_Hans")),
        ("next", v.NEXT),
        ("hide", v.HIDE),
    ],
)
def test_todays_action_strings(text: str, parsed: v.Action) -> None:
    assert v.parse_action(text) == parsed


def known(session: Session) -> list[str]:
    """The view, history and buttons of ``session`` that do not parse to a known form."""
    bad = [view for view in (session.view, *session.history) if _unknown_view(view)]
    return bad + [a for a in session.buttons if isinstance(v.parse_action(a), v.UnknownAction)]


def _unknown_view(text: str) -> bool:
    return isinstance(v.parse_view(text), v.UnknownView)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(ROOT / "content", today=TODAY)


def test_every_view_and_button_along_the_golden_walks_parses(content: Content) -> None:
    translator = SourceTranslator()
    seen = 0
    for scenario in SCENARIOS:
        state: State = start(content, translator)
        walk = [state]
        for action in (*scenario.answers, f"go:pathway:{scenario.reaches}", "help"):
            state = press(content, translator, state, action)
            walk.append(state)
            if "go:orgs" in state.session.buttons:
                walk.append(press(content, translator, state, "go:orgs"))
        for state in walk:
            assert not known(state.session), (scenario.id, known(state.session))
            seen += 1
    assert seen > 100


def test_suggestions_and_the_language_picker_parse(content: Content) -> None:
    translator = SourceTranslator()
    state = start(content, translator)
    for event in (ev.FreeText("I am in danger"), ev.ChooseLanguage(), ev.HowTo()):
        outcome = step(content, state.session, event, translator)
        assert outcome.session is not None
        assert not known(outcome.session), known(outcome.session)
    found = step(content, state.session, ev.FreeText("I am in danger"), translator).session
    assert found is not None and isinstance(v.parse_view(found.view), v.Suggestions)
