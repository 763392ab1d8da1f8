"""Golden transcripts: whole conversations per country and language, compared as text.

For every country (and "another country / I don't know") two conversations are played
through the engine: one that leads to the route for people who help the police (or the
closest route the country has), one that leads to asylum or to the route for the person's
own situation. Each transcript (every screen as the terminal chat shows it, and the button
pressed in between) is compared with ``tests/golden/<cc>-<scenario>-<lang>.txt``.

When the content or the engine changes on purpose, regenerate the files and review the diff:

    pytest tests/test_golden.py --update-golden

Buttons are pressed by their action (``opt:safe``, ``go:pathway:at_asylum``), not by their
label, so the same scenario plays in every language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.console.render import render_screen
from bot.content import Content, load_content
from bot.engine.translator import SourceTranslator, Translator
from tests.conftest import ROOT, TODAY
from tests.support.walk import State, press, start

GOLDEN = ROOT / "tests" / "golden"
#: Languages the transcripts are recorded in. English is the source; the lead adds a
#: second language once its translations land.
GOLDEN_LANGUAGES = ("en", "ar")


@dataclass(frozen=True)
class Scenario:
    """One conversation: the answers (as button actions) and the pathway it must reach."""

    country: str
    name: str
    answers: tuple[str, ...]
    #: The pathway the result must list; the transcript then opens it.
    reaches: str

    @property
    def id(self) -> str:
        """The scenario's name in test ids and golden file names."""
        return f"{self.country.lower()}-{self.name}"


def _answers(country_option: str, *answers: str) -> tuple[str, ...]:
    """The welcome screen's country button, then the answers."""
    return (f"opt:{country_option}", *answers)


# Answers, in order: safety (opt:safe, or opt:in_danger then next), EU citizen (EU countries
# only), under 18, spoken with, police, afraid to go back.
SAFE = ("opt:safe",)
DANGER = ("opt:in_danger", "next")
SCENARIOS = (
    Scenario(
        "AT",
        "cooperation",
        _answers("austria", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "at_special_protection",
    ),
    Scenario(
        "AT",
        "asylum",
        _answers("austria", *DANGER, "opt:unsure", "opt:no_say", "opt:no", "opt:no", "opt:yes"),
        "at_asylum",
    ),
    Scenario(
        "BA",
        "cooperation",
        _answers("bosnia", *SAFE, "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "ba_residence_victim",
    ),
    Scenario(
        "BA",
        "asylum",
        _answers("bosnia", *SAFE, "opt:no", "opt:no", "opt:no", "opt:yes"),
        "ba_asylum",
    ),
    Scenario(
        "ES",
        "cooperation",
        _answers("spain", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "es_permit_cooperation",
    ),
    Scenario(
        "ES",
        "personal",
        _answers("spain", *SAFE, "opt:no", "opt:no", "opt:no", "opt:no", "opt:no"),
        "es_permit_personal",
    ),
    Scenario(
        "FR",
        "cooperation",
        _answers("france", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "fr_residence_cooperation",
    ),
    Scenario(
        "FR",
        "asylum",
        _answers("france", *DANGER, "opt:no", "opt:yes", "opt:no", "opt:unsure", "opt:yes"),
        "fr_asylum",
    ),
    Scenario(
        "HR",
        "cooperation",
        _answers("croatia", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "hr_cooperation_permit",
    ),
    Scenario(
        "HR",
        "asylum",
        _answers("croatia", *DANGER, "opt:no", "opt:no", "opt:unsure", "opt:no", "opt:yes"),
        "hr_asylum",
    ),
    Scenario(
        "MD",
        "cooperation",
        _answers("moldova", *SAFE, "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "md_residence_victim",
    ),
    Scenario(
        "MD",
        "asylum",
        _answers("moldova", *DANGER, "opt:no", "opt:no", "opt:no", "opt:yes"),
        "md_asylum",
    ),
    Scenario(
        "NL",
        "cooperation",
        _answers("netherlands", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "nl_permit_cooperation",
    ),
    Scenario(
        "NL",
        "personal",
        _answers("netherlands", *SAFE, "opt:unsure", "opt:no", "opt:unsure", "opt:no", "opt:no"),
        "nl_permit_no_cooperation",
    ),
    Scenario(
        "RS",
        "cooperation",
        _answers("serbia", *SAFE, "opt:no", "opt:yes", "opt:yes", "opt:no"),
        "rs_victim_status",
    ),
    Scenario(
        "RS",
        "asylum",
        _answers("serbia", *DANGER, "opt:no", "opt:no", "opt:no", "opt:yes"),
        "rs_asylum",
    ),
    Scenario(
        "ZZ",
        "cooperation",
        _answers("other", *SAFE, "opt:no", "opt:no", "opt:yes", "opt:no"),
        "zz_eu_cooperation_permit",
    ),
    Scenario(
        "ZZ",
        "asylum",
        _answers("other", *SAFE, "opt:no", "opt:no", "opt:no", "opt:yes"),
        "zz_asylum",
    ),
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(ROOT / "content", today=TODAY)


def translator_for(language: str) -> Translator:
    """English from the source; other languages from the real catalogs."""
    if language == "en":
        return SourceTranslator()
    from bot.config import Settings
    from bot.i18n.catalogs import load_translator

    return load_translator(Settings())


def play(content: Content, scenario: Scenario, language: str) -> tuple[str, State]:
    """Play ``scenario`` and return its transcript and the last state."""
    translator = translator_for(language)
    state = start(content, translator, language)
    lines = [f"# {scenario.id}, language {language}", "", render_screen(state.screen)]

    for action in (*scenario.answers, f"go:pathway:{scenario.reaches}"):
        if action.startswith("go:pathway:"):
            result = state  # the result screen, before the pathway is opened
        pressed = state.label(action)
        state = press(content, translator, state, action)
        lines += ["", f"> {pressed}", "", render_screen(state.screen)]
    return "\n".join(lines) + "\n", result


def test_every_country_has_two_scenarios(content: Content) -> None:
    countries = sorted(c.id for c in content.countries)
    assert sorted({s.country for s in SCENARIOS}) == countries
    for country in countries:
        assert len([s for s in SCENARIOS if s.country == country]) >= 2


@pytest.mark.parametrize("language", GOLDEN_LANGUAGES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_golden_transcript(
    content: Content, scenario: Scenario, language: str, request: pytest.FixtureRequest
) -> None:
    transcript, result = play(content, scenario, language)
    assert result.view == "node:result"
    assert result.country == scenario.country
    assert f"go:pathway:{scenario.reaches}" in result.session.buttons
    path = GOLDEN / f"{scenario.id}-{language}.txt"
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(transcript, encoding="utf-8")
        return
    assert path.is_file(), (
        f"{path.relative_to(ROOT)} is missing: run pytest tests/test_golden.py --update-golden "
        "and review the new file"
    )
    expected = path.read_text(encoding="utf-8")
    assert transcript == expected, (
        f"{path.relative_to(ROOT)} differs from the conversation: if the change is intended, "
        "run pytest tests/test_golden.py --update-golden and review the diff"
    )


def test_golden_files_have_no_strays() -> None:
    """Every file in tests/golden/ belongs to a scenario (renamed ones are deleted)."""
    expected = {f"{s.id}-{lang}.txt" for s in SCENARIOS for lang in GOLDEN_LANGUAGES}
    present = {p.name for p in GOLDEN.glob("*.txt")} if GOLDEN.is_dir() else set()
    assert present <= expected, f"stray golden files: {sorted(present - expected)}"
