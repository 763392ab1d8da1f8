"""The shipped content, checked as a whole: the promises of issue 6's "Done when".

- it loads, and ``check --strict`` finds nothing but confidence warnings;
- from the welcome screen every country's result is at most 7 taps away (found by a
  breadth-first search over the engine, not a hard-coded path) and Help now is one tap away
  from every screen;
- every phone number parses for its country;
- ``check --stale`` lists every low-confidence fact;
- every combination of answers, in every country, leads to at least one pathway.
"""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator

import phonenumbers
import pytest
from phonenumbers import shortnumberinfo

from bot.content import Content, load_content
from bot.content.model import Country, Located, Option, Sourced
from bot.content.phones import ANY_COUNTRY, phone_problem
from bot.content.validate import validate
from bot.engine import events as ev
from bot.engine.engine import step
from bot.engine.pathways import matching_pathways
from bot.engine.translator import SourceTranslator
from bot.engine.views import Suggestions, parse_view
from tests.conftest import ROOT, TODAY
from tests.support.walk import State, press, presses, start

CONTENT = ROOT / "content"
#: Issue 6: "every country's result is reachable in <= 7 taps and Help now in 1".
MAX_TAPS_TO_RESULT = 7
#: The countries of issue 6, plus "another country / I don't know".
COUNTRIES = ("AT", "BA", "ES", "FR", "HR", "MD", "NL", "RS", "ZZ")
TRANSLATOR = SourceTranslator()


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT, today=TODAY)


def _key(state: State) -> tuple[str, tuple[tuple[str, object], ...]]:
    return state.view, tuple(sorted(state.session.facts.items()))


def _breadth_first(
    content: Content,
    first: State,
    key: Callable[[State], object],
    follow: Callable[[State, str], bool],
    max_depth: int | None = None,
) -> Iterator[tuple[State, int]]:
    """Every state reachable from ``first`` (one per key), with its depth in taps."""
    seen = {key(first)}
    queue = deque([(first, 0)])
    while queue:
        state, depth = queue.popleft()
        yield state, depth
        if max_depth is not None and depth == max_depth:
            continue
        for action in presses(state):
            if not follow(state, action):
                continue
            after = press(content, TRANSLATOR, state, action)
            if key(after) not in seen:
                seen.add(key(after))
                queue.append((after, depth + 1))


def test_the_countries_of_the_issue_are_all_there(content: Content) -> None:
    assert sorted(c.id for c in content.countries) == sorted(COUNTRIES)
    welcome = content.main.node(content.main.start)
    assert welcome is not None
    offered = {value for o in welcome.options for fact, value in o.set if fact == "country"}
    assert offered == set(COUNTRIES)


def test_check_strict_finds_only_confidence_warnings(content: Content) -> None:
    problems = validate(content, today=TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    others = [str(p) for p in problems if p.severity == "warning" and p.code != "confidence"]
    assert others == []


def test_check_command_passes_on_the_shipped_content() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


def test_every_result_is_at_most_seven_taps_from_welcome(content: Content) -> None:
    best: dict[str, int] = {}
    for state, depth in _breadth_first(
        content,
        start(content, TRANSLATOR),
        _key,
        follow=lambda _state, action: action != "help",
        max_depth=MAX_TAPS_TO_RESULT,
    ):
        if state.view == "node:result" and state.country:
            best[state.country] = min(depth, best.get(state.country, depth))
    assert sorted(best) == sorted(COUNTRIES), "some results are more than 7 taps away"
    assert max(best.values()) <= MAX_TAPS_TO_RESULT


def test_help_now_is_one_tap_from_every_screen(content: Content) -> None:
    screens = 0
    for state, _ in _breadth_first(
        content,
        start(content, TRANSLATOR),
        key=lambda s: (s.view, s.country),
        follow=lambda _state, action: not action.startswith("lang:"),
    ):
        screens += 1
        if state.view == "help":
            continue
        assert "help" in state.session.buttons, f"no Help now on {state.view}"
        after = press(content, TRANSLATOR, state, "help")
        assert after.view == "help"
        if state.country:
            assert "Emergency numbers" in after.screen.text
    assert screens > 100  # the search really went through the content


def _result_facts(content: Content, country: str) -> list[dict[str, object]]:
    """The facts at the result for every combination of answers, in ``country``."""
    welcome = start(content, TRANSLATOR)
    option = next(o.id for o in welcome_options(content) if ("country", country) in o.set)
    first = press(content, TRANSLATOR, welcome, f"opt:{option}")
    found = []
    for state, _ in _breadth_first(
        content,
        first,
        _key,
        follow=lambda _state, action: action.startswith("opt:") or action == "next",
    ):
        if state.view == "node:result":
            found.append(dict(state.session.facts))
    return found


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_combination_of_answers_yields_a_pathway(content: Content, country: str) -> None:
    found = _result_facts(content, country)
    eu = country in ("AT", "ES", "FR", "HR", "NL")
    # safe/danger x (EU citizen: 3) x age 3 x spoken with 3 x police 3 x going back 3
    assert len(found) == 2 * 3 ** (5 if eu else 4)
    assert all(("eu_citizen" in facts) == eu for facts in found)
    place = content.country(country)
    assert place is not None
    empty = [facts for facts in found if not matching_pathways(place, facts)]  # type: ignore[arg-type]
    assert empty == [], f"{len(empty)} combinations get no pathway, e.g. {empty[0]}"


def _phone_lines(country: Country) -> Iterator[tuple[str, str]]:
    for line in country.emergency:
        yield line.id, line.phone
    for org in country.organisations:
        for line in org.phones:
            yield f"{org.id}/{line.id}", line.phone


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_phone_number_parses_for_its_country(content: Content, country: str) -> None:
    place = content.country(country)
    assert place is not None
    for name, number in _phone_lines(place):
        assert phone_problem(number, country) is None, f"{country} {name}: {number}"
        if country == ANY_COUNTRY:
            continue
        parsed = phonenumbers.parse(number, country)
        assert (
            phonenumbers.is_valid_number(parsed)
            or phonenumbers.is_valid_short_number(parsed)
            # national short lines missing from the valid list, e.g. BiH's SOS lines 1265/1264
            or shortnumberinfo.is_possible_short_number_for_region(parsed, country)
        ), f"{country} {name}: {number}"


def _low_confidence(content: Content) -> Iterator[tuple[str, Located]]:
    """Every item whose own confidence is low, labelled as the stale report labels it."""

    def own(item: Sourced, parent: Sourced) -> bool:
        return (item.sources, item.reviewed, item.confidence) != (
            parent.sources,
            parent.reviewed,
            parent.confidence,
        )

    for country in content.countries:
        cc = country.id
        for line in country.emergency:
            if line.confidence == "low":
                yield f"{cc} emergency {line.id}", line
        for org in country.organisations:
            if org.confidence == "low":
                yield f"{cc} organisation {org.id}", org
            for phone in org.phones:
                if phone.confidence == "low":
                    yield f"{cc} organisation {org.id} phone {phone.id}", phone
        for pathway in country.pathways:
            if pathway.confidence == "low":
                yield f"{cc} pathway {pathway.id}", pathway
            for name, statement in pathway.statements():
                if statement.confidence == "low" and own(statement, pathway):
                    yield f"{cc} pathway {pathway.id}.{name}", statement
    for node in content.main.nodes:
        if node.confidence == "low":
            yield f"main node {node.id}", node


def test_stale_report_lists_every_low_confidence_fact(content: Content) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--stale", "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    report = [line.split() for line in result.stdout.splitlines()]
    listed = {" ".join(words[2:-1]) for words in report if len(words) > 3 and words[1] == "low"}
    expected = dict(_low_confidence(content))
    missing = sorted(set(expected) - listed)
    assert missing == [], f"not in the stale report: {missing}"


def test_the_danger_screen_shows_the_countrys_own_numbers(content: Content) -> None:
    for country in COUNTRIES:
        place = content.country(country)
        assert place is not None
        welcome = start(content, TRANSLATOR)
        option = next(o.id for o in welcome_options(content) if ("country", country) in o.set)
        safe = press(content, TRANSLATOR, welcome, f"opt:{option}")
        danger = press(content, TRANSLATOR, safe, "opt:in_danger")
        assert danger.view == "node:danger"
        for line in place.emergency:
            assert line.label in danger.screen.text, f"{country}: {line.label}"


def welcome_options(content: Content) -> tuple[Option, ...]:
    """The options of the welcome screen (the country question)."""
    welcome = content.main.node(content.main.start)
    assert welcome is not None
    return welcome.options


def test_topics_menu_has_every_topic_of_the_issue(content: Content) -> None:
    menu = content.main.node(content.main.menu)
    assert menu is not None
    titles = set()
    for option in menu.options:
        node = content.main.node(option.next)
        assert node is not None
        if node.topic:
            titles.add(node.title)
    assert {
        "Is this trafficking?",
        "Your rights",
        "Residence options",
        "Help now",
        "Find an organisation",
        "About and privacy",
    } <= titles


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("is this trafficking", "node:signs"),
        ("they took my passport", "node:signs"),
        ("my rights", "node:rights"),
        ("residence permit", "node:residence"),
        ("asylum", "node:residence"),
        ("I am in danger", "node:help_now"),
        ("shelter", "node:where_org"),
        ("delete my data", "node:about"),
    ],
)
def test_typed_words_find_the_topics(content: Content, typed: str, topic: str) -> None:
    welcome = start(content, TRANSLATOR)
    outcome = step(content, welcome.session, ev.FreeText(typed), TRANSLATOR)
    assert outcome.session is not None
    found = parse_view(outcome.session.view)
    assert isinstance(found, Suggestions), found
    assert parse_view(topic) in found.views, f"{typed!r} found {found}"
