"""Engine features the main flow relies on: conditional nodes and Help now blocks in nodes.

A node with ``when`` is shown only when the facts match; otherwise the engine goes straight
on to its ``next`` (the EU-citizenship question is asked only in EU countries). A node with
``show: [emergency]`` shows the same numbers as the Help now screen: the user's country's,
or every country's with a button to pick one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import Content, load_content
from bot.engine import events as ev
from bot.engine.screens import Tally
from tests.conftest import FIXTURES, TODAY
from tests.support.engine import EngineUser

#: Added to the engine fixture's flow: a question asked only in Serbia, between "safe" and
#: the result, and a Help now topic.
EXTRA_NODES = """
    - id: only_in_serbia
      type: question
      text: A question that matters only in Serbia?
      when: {country: RS}
      next: fears
      options:
        - id: ok
          label: Understood
          next: fears
    - id: help_topic
      type: info
      title: Help now
      text: Call for help.
      show: [emergency]
      topic: true
      keywords: help
      next: menu
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    root = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(FIXTURES / "engine", root)
    flow = root / "flows" / "main.yaml"
    text = flow.read_text(encoding="utf-8")
    # "Yes, I am safe" now leads to the conditional question instead of "fears".
    text = text.replace(
        "          set: {in_danger: false}\n          next: fears",
        "          set: {in_danger: false}\n          next: only_in_serbia",
    )
    text = text.replace("  nodes:\n", "  nodes:" + EXTRA_NODES, 1)
    menu_option = "        - id: rights\n          label: Your rights\n          next: rights\n"
    help_option = "        - id: help\n          label: Call for help\n          next: help_topic\n"
    assert menu_option in text and "next: only_in_serbia" in text
    flow.write_text(text.replace(menu_option, menu_option + help_option), encoding="utf-8")
    return load_content(root, today=TODAY)


def to_safe(user: EngineUser, country: str) -> None:
    user.send(ev.Start(nonce_seed=7))
    user.click("Continue")
    user.click("Find my options")
    user.click(country)


def test_conditional_question_is_asked_when_its_condition_holds(content: Content) -> None:
    user = EngineUser(content)
    to_safe(user, "Serbia")
    screen = user.click("Yes")
    assert "matters only in Serbia" in screen.text
    assert "Continue ▶" not in user.labels()  # a question's next adds no button
    assert Tally("node", "only_in_serbia") in user.tallies
    assert "afraid" in user.click("Understood").text


def test_conditional_question_is_skipped_otherwise(content: Content) -> None:
    user = EngineUser(content)
    to_safe(user, "Another country")
    screen = user.click("Yes")
    assert "afraid" in screen.text
    assert user.session is not None and user.session.view == "node:fears"
    assert Tally("node", "fears") in user.tallies
    assert Tally("node", "only_in_serbia") not in user.tallies
    # Back returns to the question before, not to the skipped one.
    assert "safe" in user.send(ev.Back()).text


def test_a_stored_view_of_a_skipped_node_shows_where_it_leads(content: Content) -> None:
    user = EngineUser(content)
    to_safe(user, "Serbia")
    user.click("Yes")
    assert user.session is not None
    # The country changes under the stored view (e.g. a deep link), then the screen is redrawn.
    user.session = user.session.with_facts({"country": "ZZ"})
    screen = user.send(ev.Press(nonce=-1, index=0))  # a stale press re-renders the view
    assert "afraid" in screen.text


def test_emergency_block_without_a_country_lists_every_country(content: Content) -> None:
    user = EngineUser(content)
    user.send(ev.Start(nonce_seed=7))
    user.click("Continue")
    screen = user.click("Call for help")
    assert "Call for help." in screen.text
    assert "Serbia: Police 192" in screen.text
    assert "Another country: Emergency (EU) 112" in screen.text
    screen = user.click("Serbia")
    assert screen.title == "Help now"
    assert "Emergency numbers (Serbia):" in screen.text
    assert "Support lines:" in screen.text and "Helpers, SOS line" in screen.text
    assert Tally("help", "RS") in user.tallies


def test_emergency_block_with_a_country_matches_help_now(content: Content) -> None:
    user = EngineUser(content)
    to_safe(user, "Serbia")
    danger = user.click("No, I am in danger").text
    help_now = user.click("Help now").text
    # The danger screen shows its own text, then exactly the Help now screen's numbers.
    assert danger.endswith(help_now)


def test_validation_rejects_a_condition_without_next(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "engine", root)
    flow = root / "flows" / "main.yaml"
    flow.write_text(
        flow.read_text(encoding="utf-8").replace(
            "      text: Are you safe right now?\n",
            "      text: Are you safe right now?\n      when: {country: RS}\n",
        ),
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="has a condition but no 'next'"):
        load_content(root, today=TODAY)
