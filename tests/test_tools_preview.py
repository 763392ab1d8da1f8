"""``python -m bot preview``: one HTML page per screen, linked like the buttons.

The browser test is in ``test_tools_browser.py``; these check the pages as files: every
link leads to a page, clicking through the pages shows what the engine shows, and all text
is escaped.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest

from bot.content import Content
from bot.engine import events as ev
from bot.engine.engine import step
from bot.engine.translator import SourceTranslator, Translator
from bot.i18n.catalogs import load_catalogs
from bot.tools.preview import HIDDEN_PAGE, Page, Preview, explore, relevant_facts, write_preview
from tests.conftest import FIXTURES

TOOLS_LOCALES = FIXTURES / "tools" / "locales"
HREF = re.compile(r'<a class="button" href="([^"]+)"')


def pages_by_path(preview: Preview) -> dict[str, Page]:
    return {page.path: page for page in preview.pages}


def test_relevant_facts_are_those_conditions_test(engine_content: Content) -> None:
    tested = {
        clause.fact
        for country in engine_content.countries
        for pathway in country.pathways
        for clause in pathway.when
    }
    assert relevant_facts(engine_content) == {"country", *tested}


def test_every_button_links_to_a_page_that_exists(engine_content: Content, tmp_path: Path) -> None:
    preview = explore(engine_content, SourceTranslator(), ["en"])
    write_preview(preview, SourceTranslator(), tmp_path)
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "en" / "index.html").is_file()
    assert (tmp_path / "preview.css").is_file()
    for page in preview.pages:
        text = (tmp_path / page.path).read_text(encoding="utf-8")
        links = HREF.findall(text)
        assert len(links) == len(page.screen.buttons), page.path
        for href in links:
            assert (tmp_path / page.path).parent.joinpath(html.unescape(href)).resolve().is_file()


def test_one_page_per_screen_and_result_pages_per_country(engine_content: Content) -> None:
    preview = explore(engine_content, SourceTranslator(), ["en"])
    views = [page.view for page in preview.pages]
    # Every node of the flow is shown.
    assert {f"node:{node.id}" for node in engine_content.main.nodes} <= set(views)
    # Screens that look the same are one page unless a button leads somewhere else: the
    # menu once per country known so far (its Help now shows that country's numbers).
    menus = [p for p in preview.pages if p.view == "node:menu"]
    assert sorted(str(dict(p.facts).get("country")) for p in menus) == ["None", "RS", "ZZ"]
    # The fixture's menu is a question, so it also says which country was recorded.
    assert len({p.screen.text for p in menus}) == 3
    assert views.count("node:welcome") == 1
    # The result differs by country and by the answers its pathways test.
    results = [p for p in preview.pages if p.view == "node:result"]
    countries = {dict(p.facts).get("country") for p in results}
    assert countries == {"RS", "ZZ"}
    texts = {p.screen.text for p in results}
    assert len(texts) == len(results), "two result pages show the same screen"
    # Every pathway has its page.
    pathways = {p.id for c in engine_content.countries for p in c.pathways}
    assert {v.removeprefix("pathway:") for v in views if v.startswith("pathway:")} == pathways


def test_clicking_through_the_pages_shows_what_the_engine_shows(engine_content: Content) -> None:
    """Random walks over the answer buttons: the page reached by following the links shows
    the screen the engine shows after the same presses."""
    translator = SourceTranslator()
    preview = explore(engine_content, translator, ["en"])
    pages = pages_by_path(preview)
    rng = random.Random(7)
    for _ in range(40):
        outcome = step(engine_content, None, ev.Start(language="en"), translator)
        page = pages[preview.starts["en"]]
        for _ in range(12):
            session = outcome.session
            assert session is not None
            assert page.screen.text == outcome.screens[-1].text, page.path
            assert page.screen.title == outcome.screens[-1].title, page.path
            forward = [
                b.index
                for b in page.screen.buttons
                if session.buttons[b.index] not in ("back", "menu", "help", "hide")
            ]
            if not forward:
                break
            index = rng.choice(forward)
            outcome = step(engine_content, session, ev.Press(session.nonce, index), translator)
            target = page.targets[index]
            assert target is not None
            page = pages[target]


def test_footer_buttons_lead_to_menu_help_hide_and_back(engine_content: Content) -> None:
    preview = explore(engine_content, SourceTranslator(), ["en"])
    pages = pages_by_path(preview)
    start = pages[preview.starts["en"]]
    labels = {b.label: b.index for b in start.screen.buttons}
    assert pages[start.targets[labels["☰ Menu"]] or ""].view == "node:menu"
    assert pages[start.targets[labels["🆘 Help now"]] or ""].view == "help"
    assert start.targets[labels["✖ Hide"]] == f"en/{HIDDEN_PAGE}"
    assert labels["◀ Back"] in start.back_buttons
    menu = pages[start.targets[labels["☰ Menu"]] or ""]
    assert menu.back == start.path
    assert preview.hidden["en"].text == "✓"


def test_help_page_for_a_country_shows_its_numbers(engine_content: Content) -> None:
    preview = explore(engine_content, SourceTranslator(), ["en"])
    helps = [p for p in preview.pages if p.view == "help"]
    serbia = next(p for p in helps if dict(p.facts).get("country") == "RS")
    assert "192" in serbia.screen.text


class Hostile(SourceTranslator):
    def gettext(self, language: str, message: str, context: str = "") -> str:
        return f'<img src=x onerror="alert(1)">&{message}'


def test_everything_is_escaped(engine_content: Content, tmp_path: Path) -> None:
    translator: Translator = Hostile()
    preview = explore(engine_content, translator, ["en"])
    write_preview(preview, translator, tmp_path)
    for path in tmp_path.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<img" not in text, path
    menu = next(p for p in preview.pages if p.view == "node:menu")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;Menu" in (
        tmp_path / menu.path
    ).read_text(encoding="utf-8")


def test_arabic_pages_are_right_to_left(engine_content: Content, tmp_path: Path) -> None:
    translator = load_catalogs(TOOLS_LOCALES)
    preview = explore(engine_content, translator, ["ar", "en"])
    write_preview(preview, translator, tmp_path)
    menu = next(p for p in preview.pages if p.view == "node:menu" and p.language == "ar")
    text = (tmp_path / menu.path).read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in text
    assert "القائمة" in text
    assert "ماذا تريد أن تفعل؟" in text
    # The reviewer's bar stays English and left to right; it links the English page.
    assert '<header class="bar" dir="ltr" lang="en">' in text
    assert 'href="../en/node-menu.html" lang="en">en</a>' in text
    english = (tmp_path / "en" / "node-menu.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in english
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="ar/index.html" lang="ar" dir="rtl">العربية</a>' in index


def test_preview_command_writes_pages(tmp_path: Path) -> None:
    from bot.cli import main

    out = tmp_path / "preview"
    assert main(["preview", "--content", str(FIXTURES / "engine"), "--out", str(out)]) == 0
    assert (out / "en" / "node-menu.html").is_file()


def test_preview_command_rejects_an_unknown_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["preview", "--lang", "xx", "--out", str(tmp_path)]) == 2
    assert "unknown language 'xx' (expected one of: en" in capsys.readouterr().err
