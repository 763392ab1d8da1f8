"""The pure engine, on small test content."""

from __future__ import annotations

import copy
import random
import subprocess
import sys

import pytest

from bot.content import Content
from bot.engine import events as ev
from bot.engine.engine import Engine, step
from bot.engine.screens import Tally
from bot.engine.state import Session
from bot.engine.translator import Language, SourceTranslator
from tests.support.engine import EngineUser

FOOTER = ["◀ Back", "☰ Menu", "🆘 Help now", "✖ Hide"]


@pytest.fixture
def user(engine_content: Content) -> EngineUser:
    u = EngineUser(engine_content)
    u.send(ev.Start(nonce_seed=1000))
    return u


def to_result(user: EngineUser, fears: str = "Yes") -> None:
    user.click("Continue")
    user.click("Find my options")
    user.click("Serbia")
    user.click("Yes")
    user.click(fears)


def test_start_shows_the_start_node_with_the_footer(user: EngineUser) -> None:
    assert user.screen is not None
    assert "Welcome" in user.screen.text
    assert user.labels()[-4:] == FOOTER
    assert Tally("start", "") in user.tallies


def test_every_screen_of_a_conversation_has_back_menu_help_and_hide(user: EngineUser) -> None:
    to_result(user)
    for label in ["Stay as a victim", "Who can help"]:
        user.click(label)
        assert all(f in user.labels() for f in FOOTER)
        user.send(ev.Back())


def test_answers_set_facts_and_lead_to_the_next_node(user: EngineUser) -> None:
    user.click("Continue")
    user.click("Find my options")
    user.click("Serbia")
    assert user.session is not None
    assert user.session.facts == {"country": "RS"}
    assert user.screen is not None and "safe" in user.screen.text
    assert Tally("node", "safe") in user.tallies


def test_result_lists_matching_pathways_with_legal_basis_and_helpers(user: EngineUser) -> None:
    to_result(user, fears="Yes")
    screen = user.screen
    assert screen is not None
    assert "1. Stay as a victim" in screen.text
    assert "Test Act, Art. 1" in screen.text
    assert "2. Asylum" in screen.text
    assert "Helpers, SOS line: +381 11 7850000 (not fully confirmed" in screen.text
    assert "Checked:" in screen.text
    assert Tally("pathway", "rs_asylum") in user.tallies


def test_result_leaves_out_pathways_whose_conditions_do_not_hold(user: EngineUser) -> None:
    to_result(user, fears="No")
    assert user.screen is not None
    assert "Asylum" not in user.screen.text
    assert Tally("pathway", "rs_asylum") not in user.tallies


def test_conditional_option_shown_only_when_its_condition_holds(engine_content: Content) -> None:
    u = EngineUser(engine_content)
    u.send(ev.Start())
    u.click("Continue")
    u.click("Find my options")
    u.click("Another country")
    u.click("Yes")
    assert "Only in Serbia" not in u.labels()


def test_pathway_screen_states_sources_confidence_and_review(user: EngineUser) -> None:
    to_result(user)
    screen = user.click("Stay as a victim")
    assert screen.title == "Stay as a victim"
    assert "⚖ Legal basis: Test Act, Art. 1 (Please check: ask Helpers to confirm.)" in screen.text
    assert (
        "✅ What it gives: Stay for a while. (We could not confirm this yet: ask Helpers.)"
        in screen.text
    )
    assert "Why it may fit you: You are in Serbia." in screen.text
    # The oldest review date among what the screen states.
    assert "Checked: Oct 1, 2026" in screen.text


def test_stale_nonce_rerenders_and_never_applies_an_old_answer(user: EngineUser) -> None:
    user.click("Continue")
    user.click("Find my options")
    where = user.screen
    assert where is not None
    serbia = next(b for b in where.buttons if b.label == "Serbia")
    user.click("Another country")
    before = user.session
    screen = user.send(ev.Press(where.nonce, serbia.index))
    assert "earlier screen" in screen.note
    assert user.session is not None and before is not None
    assert user.session.facts == before.facts == {"country": "ZZ"}
    assert user.session.view == before.view


@pytest.mark.parametrize("index", [-1, 7, 10**9])
def test_forged_index_rerenders_current_screen(user: EngineUser, index: int) -> None:
    assert user.screen is not None
    view = user.session.view if user.session else None
    screen = user.send(ev.Press(user.screen.nonce, index))
    assert "earlier screen" in screen.note
    assert user.session is not None and user.session.view == view


def test_back_returns_to_the_previous_screen_and_menu_to_the_menu(user: EngineUser) -> None:
    user.click("Continue")
    user.click("Find my options")
    assert user.click("◀ Back").title == "Menu"
    user.click("Find my options")
    assert user.click("☰ Menu").title == "Menu"


def test_back_with_no_history_goes_to_the_menu(engine_content: Content) -> None:
    u = EngineUser(engine_content)
    u.send(ev.Start())
    assert u.send(ev.Back()).title == "Menu"


def test_help_now_without_a_country_lists_every_country(user: EngineUser) -> None:
    screen = user.click("Help now")
    assert "Serbia: Police 192" in screen.text
    assert "Another country: Emergency (EU) 112" in screen.text
    assert "Serbia" in user.labels()
    screen = user.click("Serbia")
    assert "• Police: 192" in screen.text
    assert "Helpers, SOS line" in screen.text
    assert Tally("help", "RS") in user.tallies


def test_help_now_with_a_country_is_one_tap_from_any_screen(user: EngineUser) -> None:
    to_result(user)
    screen = user.click("Help now")
    assert screen.title == "🆘 Help now: Serbia"
    assert "• Police: 192" in screen.text
    assert "🆘 Help now" not in user.labels()  # already here
    assert user.click("Back").title == "Your options"


def test_hide_forgets_everything_and_asks_for_a_wipe(user: EngineUser) -> None:
    to_result(user)
    user.click("Hide")
    assert user.outcome is not None
    assert user.outcome.wipe
    assert user.session is None
    assert Tally("exit", "") in user.outcome.tallies


def test_hide_works_without_a_session(engine_content: Content) -> None:
    outcome = step(engine_content, None, ev.Hide(), SourceTranslator())
    assert outcome.wipe and outcome.session is None


def test_help_now_works_without_a_session(engine_content: Content) -> None:
    outcome = step(engine_content, None, ev.HelpNow(), SourceTranslator())
    assert outcome.screens[0].title == "🆘 Help now"


def test_reset_forgets_answers_but_keeps_the_language(user: EngineUser) -> None:
    to_result(user)
    screen = user.send(ev.Reset())
    assert user.session is not None
    assert user.session.facts == {}
    assert user.session.history == ()
    assert "cleared" in screen.note
    assert "Welcome" in screen.text


def test_info_node_shows_emergency_block_for_the_country(user: EngineUser) -> None:
    user.click("Continue")
    user.click("Find my options")
    user.click("Serbia")
    screen = user.click("No, I am in danger")
    assert "Call now." in screen.text
    assert "Emergency numbers (Serbia):" in screen.text
    assert "• Police: 192" in screen.text


def test_node_with_sources_shows_when_it_was_checked(user: EngineUser) -> None:
    user.click("Continue")
    screen = user.click("Your rights")
    assert "Checked: Nov 23, 2026" in screen.text


@pytest.mark.parametrize(
    "typed",
    ["danger", "DANGER", "dangr", "I am in danger!!", "dánger", "they hurt me"],
)
def test_free_text_about_danger_offers_help_now_first(user: EngineUser, typed: str) -> None:
    screen = user.send(ev.FreeText(typed))
    assert user.labels()[0] == "🆘 Help now"
    assert "Danger" in user.labels()
    assert screen.note == ""


def test_free_text_matches_topics_and_pathways(user: EngineUser) -> None:
    to_result(user)
    user.send(ev.FreeText("asylum"))
    assert "Asylum" in user.labels()
    user.click("Asylum")
    assert user.screen is not None and user.screen.title == "Asylum"


def test_free_text_without_a_match_keeps_the_screen(user: EngineUser) -> None:
    view = user.session.view if user.session else None
    screen = user.send(ev.FreeText("qwertyuiop"))
    assert "did not understand" in screen.note
    assert user.session is not None and user.session.view == view


def test_free_text_is_never_kept_in_the_session(user: EngineUser) -> None:
    secret = "my name is Olena Petrenko, dangr"
    user.send(ev.FreeText(secret))
    assert user.session is not None
    # Only the matched topic's id is kept (to re-draw its buttons), never the words.
    assert user.session.view == "suggest:help|node:danger"
    stored = user.session.to_json()
    for word in ["Olena", "Petrenko", "name", "dangr"]:
        assert word not in stored


def test_unsupported_message_gets_a_note_and_the_same_screen(user: EngineUser) -> None:
    view = user.session.view if user.session else None
    screen = user.send(ev.Unsupported())
    assert "only read buttons and text" in screen.note
    assert user.session is not None and user.session.view == view


def test_a_view_that_no_longer_exists_falls_back_to_the_menu(engine_content: Content) -> None:
    session = Session(language="en", view="node:removed_long_ago", nonce=5)
    outcome = step(engine_content, session, ev.Press(5, 0), SourceTranslator())
    assert outcome.screens[0].title == "Menu"


def test_event_without_a_session_starts_afresh(engine_content: Content) -> None:
    outcome = step(engine_content, None, ev.Press(3, 0), SourceTranslator())
    assert outcome.session is not None
    assert "Welcome" in outcome.screens[0].text


def test_the_engine_is_deterministic(engine_content: Content) -> None:
    def run() -> list[object]:
        u = EngineUser(engine_content)
        u.send(ev.Start(nonce_seed=42))
        to_result(u)
        u.send(ev.FreeText("asylum"))
        return [u.session, u.screen, u.tallies]

    assert run() == run()


def test_session_survives_a_json_round_trip(user: EngineUser) -> None:
    to_result(user)
    assert user.session is not None
    assert Session.from_json(user.session.to_json()) == user.session


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "null",
        "[]",
        "{}",
        '{"v": 2}',
        "not json",
        '{"v":1,"language":"en","view":"x","history":[1],"facts":{},"nonce":0,"buttons":[]}',
        '{"v":1,"language":"en","view":"x","history":[],"facts":{"a":[1]},"nonce":0,"buttons":[]}',
        '{"v":1,"language":"en","view":"x","history":[],"facts":{},"nonce":-4,"buttons":[]}',
    ],
)
def test_malformed_stored_sessions_are_rejected(raw: str) -> None:
    assert Session.from_json(raw) is None


class TwoLanguages(SourceTranslator):
    """English plus a pretend right-to-left language that upper-cases messages."""

    @property
    def languages(self) -> tuple[Language, ...]:
        return (Language("en", "English"), Language("ar", "العربية", rtl=True, reviewed=False))

    def gettext(self, language: str, message: str, context: str = "") -> str:
        return message.upper() if language == "ar" else message


def test_with_several_languages_start_asks_for_the_language(engine_content: Content) -> None:
    u = EngineUser(engine_content, translator=TwoLanguages())
    screen = u.send(ev.Start())
    assert "Choose your language" in screen.text
    assert "العربية *" in u.labels()
    assert "not yet checked by a native speaker" in screen.text
    screen = u.click("العربية")
    assert "WELCOME" in screen.text
    assert screen.rtl
    assert Tally("language", "ar") in u.tallies


def test_deep_link_language_and_country_skip_the_questions(engine_content: Content) -> None:
    u = EngineUser(engine_content, translator=TwoLanguages())
    screen = u.send(ev.Start(campaign="poster1", language="ar", country="RS"))
    assert "WELCOME" in screen.text
    assert u.session is not None and u.session.facts == {"country": "RS"}
    assert Tally("start", "poster1") in u.tallies


def test_unknown_deep_link_language_or_country_is_ignored(engine_content: Content) -> None:
    u = EngineUser(engine_content, translator=TwoLanguages())
    screen = u.send(ev.Start(campaign="x", language="xx", country="QQ"))
    assert "Choose your language" in screen.text
    assert u.session is not None and u.session.facts == {}


def test_right_to_left_screens_isolate_numbers(engine_content: Content) -> None:
    u = EngineUser(engine_content, translator=TwoLanguages())
    u.send(ev.Start(language="ar", country="RS"))
    screen = u.send(ev.HelpNow())
    assert "\u2068192\u2069" in screen.text


def test_set_language_from_the_picker_returns_to_where_the_user_was(
    engine_content: Content,
) -> None:
    u = EngineUser(engine_content, translator=TwoLanguages())
    u.send(ev.Start(language="en"))
    u.click("Continue")
    u.send(ev.ChooseLanguage())
    screen = u.click("العربية")
    assert screen.title == "\u2068MENU\u2069"  # Latin text isolated in a right-to-left screen


def test_a_translation_with_broken_placeholders_falls_back_to_english(
    engine_content: Content,
) -> None:
    # TwoLanguages upper-cases messages, so "{country}" becomes "{COUNTRY}".
    u = EngineUser(engine_content, translator=TwoLanguages())
    u.send(ev.Start(language="ar", country="RS"))
    screen = u.send(ev.HelpNow())
    assert "Help now\u2069: \u2068SERBIA\u2069" in screen.title


def test_engine_and_content_never_import_telegram_or_sqlite() -> None:
    code = (
        "import sys, bot.engine, bot.content, bot.console.chat;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('telegram', 'aiosqlite', 'sqlite3')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


class DangerWordsInRussian(SourceTranslator):
    """English plus a language whose only translation is the danger node's keywords."""

    KEYWORDS = "danger, hurt, threat, police"

    @property
    def languages(self) -> tuple[Language, ...]:
        return (Language("en", "English"), Language("ru", "Русский", reviewed=False))

    def gettext(self, language: str, message: str, context: str = "") -> str:
        if language == "ru" and message == self.KEYWORDS:
            return "опасность, угроза, бьют"
        return message


def test_words_of_danger_count_in_every_language(engine_content: Content) -> None:
    u = EngineUser(engine_content, translator=DangerWordsInRussian())
    u.send(ev.Start(language="en"))
    screen = u.send(ev.FreeText("мне угрожает опасность"))
    assert u.labels()[0].startswith("🆘"), screen.text
    # Across languages only whole words count: a near miss is no match (false friends).
    assert "did not understand" in u.send(ev.FreeText("опасност")).note
    # Without the Russian keywords, the same words match nothing.
    english_only = EngineUser(engine_content)
    english_only.send(ev.Start(language="en"))
    assert "did not understand" in english_only.send(ev.FreeText("мне угрожает опасность")).note


def test_keywords_in_unspaced_scripts_match_inside_a_sentence() -> None:
    from bot.engine.freetext import normalise, score

    assert score(normalise("我现在有危险，请帮我"), [normalise("危险")]) == 1.0
    assert score(normalise("我想了解庇护"), [normalise("危险")]) == 0.0
    # Spaced scripts still need whole words: "asylum" is not inside "asylumseeker".
    assert score(normalise("asylumseekers"), [normalise("asylum")]) < 1.0


def test_a_step_never_changes_the_session_it_was_given(shipped_content: Content) -> None:
    # The Telegram adapter keeps recent sessions in memory and hands the same object to the
    # next step: a step that changed it in place would change what looks saved.
    rng = random.Random(20261123)
    translator = SourceTranslator()
    for _ in range(40):
        outcome = step(shipped_content, None, ev.Start(nonce_seed=rng.randrange(1000)), translator)
        for _ in range(12):
            session = outcome.session
            assert session is not None
            before = copy.deepcopy(session)
            index = rng.randrange(len(session.buttons) + 1)  # now and then a forged one
            outcome = step(shipped_content, session, ev.Press(session.nonce, index), translator)
            assert session == before
            if outcome.session is None:  # hidden: start again
                break


def _random_walks(engine: Engine, rng: random.Random, languages: list[str], walks: int):
    """Outcomes of random conversations: presses (now and then a forged or stale one), Back,
    language changes and typed words, as a user could send them."""
    for _ in range(walks):
        start = ev.Start(language=rng.choice(languages), nonce_seed=rng.randrange(1000))
        outcome = engine.step(None, start)
        yield outcome
        for _ in range(15):
            session = outcome.session
            if session is None:
                break
            event: ev.Event = rng.choice(
                [
                    ev.Press(session.nonce, rng.randrange(len(session.buttons))),
                    ev.Press(session.nonce, rng.randrange(len(session.buttons))),
                    ev.Press(session.nonce, rng.randrange(len(session.buttons))),
                    ev.Press(session.nonce - 1, 0),
                    ev.Back(),
                    ev.SetLanguage(rng.choice(languages)),
                    ev.FreeText("asylum"),
                ]
            )
            outcome = engine.step(session, event)
            yield outcome


def test_remembered_screens_are_the_screens_drawn_afresh(shipped_content: Content) -> None:
    # The engine keeps recently drawn screens: a kept one must be exactly what drawing it
    # again gives, for every user who reaches it, whatever their history or nonce.
    from bot.config import Settings
    from bot.i18n.catalogs import load_translator

    translator = load_translator(Settings(languages=("en", "ar", "fr", "zh_Hans")))
    languages = [lang.code for lang in translator.languages]
    remembering = Engine(shipped_content, translator, remember=64)
    fresh = Engine(shipped_content, translator, remember=0)
    walked = list(_random_walks(remembering, random.Random(7), languages, 60))
    again = list(_random_walks(fresh, random.Random(7), languages, 60))
    assert len(walked) > 500
    assert walked == again
    info = remembering._drawn.cache_info()
    assert info.hits > info.misses  # the walks did meet screens drawn before
    assert info.currsize <= 64  # and no more than 64 were kept


def test_one_user_never_sees_another_users_nonce_or_buttons(shipped_content: Content) -> None:
    # Two users on the same screen share its drawing, not their sessions.
    engine = Engine(shipped_content, SourceTranslator())
    first = engine.step(None, ev.Start(nonce_seed=10))
    second = engine.step(None, ev.Start(nonce_seed=500))
    assert first.session is not None and second.session is not None
    assert first.screens[0].text == second.screens[0].text
    assert first.screens[0].nonce != second.screens[0].nonce
    assert first.session.nonce == first.screens[0].nonce
    assert second.session.nonce == second.screens[0].nonce
    note = engine.step(first.session, ev.Unsupported()).screens[0]
    assert note.note and not engine.step(second.session, ev.Back()).screens[0].note


def test_questions_show_the_recorded_country_and_language_and_back_undoes_them(
    user: EngineUser,
) -> None:
    user.click("Continue")
    asked = user.click("Find my options")
    assert asked.text.splitlines()[0] == "🌐 English"  # no country yet
    assert user.click("Serbia").text.splitlines()[0] == "🇷🇸 Serbia · 🌐 English"
    assert user.click("Yes").text.splitlines()[0] == "🇷🇸 Serbia · 🌐 English"
    user.send(ev.Back())
    again = user.send(ev.Back())  # back on the country question: its answer is undone
    assert user.session is not None and "country" not in user.session.facts
    assert again.text.splitlines()[0] == "🌐 English"
    assert user.click("Another country").text.splitlines()[0].startswith("🌍 ")


def test_country_flags_come_from_the_iso_code() -> None:
    from bot.engine.pathways import country_flag

    assert country_flag("RS") == "🇷🇸" and country_flag("at") == "🇦🇹"
    assert country_flag("ZZ") == country_flag("") == country_flag("R1") == "🌍"
