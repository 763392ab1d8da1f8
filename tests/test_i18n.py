"""Translations: the catalogs' CI gate, the extractor, the run-time translator and RTL text.

The first tests are the gate on the shipped ``locales/``: the template is up to date with the
code and content, every catalog is merged with it, parses, keeps its placeholders, fits
Telegram, and every enabled language is complete. The rest test the machinery with the
small project in ``tests/fixtures/i18n`` (content, and Arabic and Russian test catalogs).
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
import time
import typing
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.cli import main
from bot.config import Settings
from bot.content import Content, load_content
from bot.content.fields import field_specs
from bot.content.limits import LABEL_MAX
from bot.content.model import FILE_KINDS
from bot.engine import events as ev
from bot.engine.bidi import FSI, PDI, isolate_ltr_runs
from bot.engine.render.screens import MACHINE_TRANSLATION_NOTE
from bot.i18n import Catalogs, TranslationError, load_translator
from bot.i18n.catalogs import load_catalogs, read_catalog
from bot.i18n.extract import LABEL_COMMENT, ExtractionError, _item_class, extract_content
from bot.i18n.maintain import (
    count,
    differences,
    is_current,
    is_translated,
    problems,
    read_catalog_file,
    read_template,
    template_differences,
    updated_catalog,
    write_catalog,
)
from bot.i18n.pofile import PoSyntaxError, parse_po
from bot.i18n.registry import RegisteredLanguage, RegistryError, read_registry
from bot.i18n.template import extract_template, render_catalog
from tests.conftest import FIXTURES, ROOT, TODAY
from tests.support.engine import EngineUser

LOCALES = ROOT / "locales"
I18N = FIXTURES / "i18n"
TEST_LOCALES = I18N / "locales"
REGISTRY = read_registry(LOCALES)
TRANSLATED = [language for language in REGISTRY if not language.is_source]
ORGANISATIONS = ("{n} organisation", "{n} organisations")


def by_code(code: str, registry: tuple[RegisteredLanguage, ...] = REGISTRY) -> RegisteredLanguage:
    return next(language for language in registry if language.code == code)


@pytest.fixture(scope="session")
def fresh_template() -> Catalog:
    """The template extracted now from the repository's code and content."""
    return extract_template(ROOT)


@pytest.fixture(scope="session")
def shipped_template() -> Catalog:
    return read_template(LOCALES)


# -- the CI gate on the shipped catalogs ----------------------------------------------------


def test_the_registry_has_the_thirteen_languages() -> None:
    codes = [language.code for language in REGISTRY]
    assert codes == [
        "en",
        "ar",
        "de",
        "es",
        "fr",
        "nl",
        "pt",
        "ro",
        "ru",
        "sr",
        "uk",
        "vi",
        "zh_Hans",
    ]
    assert by_code("en").is_source and by_code("en").enabled
    assert by_code("sr").locale == "sr_Latn"
    assert by_code("zh_Hans").locale == "zh_Hans"
    assert [language.code for language in REGISTRY if language.rtl] == ["ar"]
    # None has been checked by a native speaker yet: the bot must say so.
    assert all(language.status == "machine" for language in TRANSLATED)


def test_the_template_is_up_to_date_with_the_code_and_content(fresh_template: Catalog) -> None:
    stale = template_differences(ROOT, LOCALES, fresh_template)
    assert not stale, "\n".join(
        [*stale, "run: python -m bot i18n extract && python -m bot i18n update"]
    )


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_every_catalog_is_merged_with_the_template(
    shipped_template: Catalog, language: RegisteredLanguage
) -> None:
    stale = is_current(shipped_template, language, language.catalog_path(LOCALES))
    assert not stale, "\n".join([*stale, "run: python -m bot i18n update"])


CATALOG_FILES = [(language, language.catalog_path(LOCALES)) for language in TRANSLATED] + [
    (by_code(code, read_registry(TEST_LOCALES)), TEST_LOCALES / code / "LC_MESSAGES/messages.po")
    for code in ("ar", "ru")
]


@pytest.mark.parametrize(
    ("language", "path"), CATALOG_FILES, ids=[str(p.relative_to(ROOT)) for _, p in CATALOG_FILES]
)
def test_every_catalog_parses_and_the_bot_reads_what_babel_reads(
    language: RegisteredLanguage, path: Path
) -> None:
    catalog = read_catalog_file(path, locale=language.locale)
    ours = parse_po(path.read_text(encoding="utf-8"))
    shown = [m for m in catalog if m.id and is_translated(m)]
    assert ours.singular == {
        (m.context or "", m.id): m.string for m in shown if isinstance(m.id, str)
    }
    assert ours.plural == {
        (m.context or "", m.id[0]): tuple(m.string) for m in shown if not isinstance(m.id, str)
    }


@pytest.mark.parametrize(
    ("language", "path"), CATALOG_FILES[: len(TRANSLATED)], ids=[lang.code for lang in TRANSLATED]
)
def test_translations_keep_their_placeholders_and_fit_telegram(
    language: RegisteredLanguage, path: Path
) -> None:
    found = list(problems(read_catalog_file(path, locale=language.locale), language, path))
    assert not found, "\n".join(found)


def test_every_enabled_language_is_completely_translated(shipped_template: Catalog) -> None:
    incomplete = []
    for language in TRANSLATED:
        if language.enabled:
            path = language.catalog_path(LOCALES)
            counts = count(shipped_template, read_catalog_file(path, locale=language.locale))
            if counts.translated != counts.total:
                incomplete.append(
                    f"{path}: {counts.fuzzy} fuzzy, {counts.missing} missing of {counts.total}"
                )
    assert not incomplete, "\n".join(incomplete)


def test_the_shipped_translator_loads() -> None:
    translator = load_translator(Settings())
    codes = [language.code for language in translator.languages]
    assert codes == [language.code for language in REGISTRY if language.enabled]
    assert translator.gettext("en", "◀ Back") == "◀ Back"


def test_all_thirteen_catalogs_fully_translated_load_well_under_half_a_second(
    tmp_path: Path,
) -> None:
    # The shipped catalogs, every message "translated" and every language enabled: the
    # worst case of start-up as the content grows.
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    registry = locales / "languages.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("enabled: false", "enabled: true"),
        encoding="utf-8",
    )
    for language in TRANSLATED:
        path = language.catalog_path(locales)
        catalog = read_catalog_file(path, locale=language.locale)
        for message in catalog:
            if isinstance(message.id, str) and message.id:
                message.string = f"[{language.code}] {message.id}"
        write_catalog(catalog, path)
    started = time.perf_counter()
    translator = load_catalogs(locales)
    elapsed = time.perf_counter() - started
    assert len(translator.languages) == 13
    assert translator.gettext("zh_Hans", "◀ Back") == "[zh_Hans] ◀ Back"
    assert elapsed < 0.5, f"loading 13 catalogs took {elapsed:.3f} s"


# -- a changed English sentence: the gate fails, then the entry is fuzzy ---------------------


def make_project(root: Path) -> Path:
    """A copy of the fixture project (content, babel.cfg, locales), extracted and updated.

    Returns its locales folder. The test catalogs lose the entries this content lacks, and
    German, disabled and without a catalog, gets an empty one.
    """
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    shutil.copytree(I18N / "content", root / "content")
    locales = root / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    assert main(["i18n", "extract", "--root", str(root), "--locales", str(locales)]) == 0
    assert main(["i18n", "update", "--locales", str(locales)]) == 0
    return locales


def test_changing_an_english_sentence_fails_the_gate_until_updated_then_it_is_fuzzy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = make_project(tmp_path)
    ar = by_code("ar", read_registry(locales))
    po = ar.catalog_path(locales)
    old, new = "We never ask for your name.", "We never ask for your name or your phone number."
    catalog = read_catalog_file(po, locale="ar")
    catalog[old].string = "لا نسألك أبدًا عن اسمك."
    write_catalog(catalog, po)
    assert template_differences(tmp_path, locales) == []
    assert load_catalogs(locales).gettext("ar", old) == "لا نسألك أبدًا عن اسمك."

    flow = tmp_path / "content" / "flows" / "main.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    stale = template_differences(tmp_path, locales)
    assert any(repr(new) in line for line in stale), stale
    args = ["i18n", "extract", "--root", str(tmp_path), "--locales", str(locales)]
    assert main([*args, "--check"]) == 1

    assert main(args) == 0
    assert main(["i18n", "update", "--check", "--locales", str(locales)]) == 1
    assert main(["i18n", "update", "--locales", str(locales)]) == 0
    assert main(["i18n", "update", "--check", "--locales", str(locales)]) == 0
    entry = read_catalog_file(po, locale="ar").get(new)
    assert entry is not None and entry.fuzzy
    assert entry.string == "لا نسألك أبدًا عن اسمك."
    assert entry.previous_id == [old]
    assert '#| msgid "We never ask for your name."' in po.read_text(encoding="utf-8")
    # Fuzzy: not shown, so the user reads the new English until a translator confirms it.
    assert load_catalogs(locales).gettext("ar", new) == new
    capsys.readouterr()
    assert main(["i18n", "status", "--locales", str(locales), "--min", "100"]) == 1
    assert "ar (" in capsys.readouterr().err

    # The translator confirms it (Poedit removes the fuzzy flag): shown again.
    confirmed = read_catalog_file(po, locale="ar")
    confirmed[new].flags.discard("fuzzy")
    write_catalog(confirmed, po)
    assert load_catalogs(locales).gettext("ar", new) == "لا نسألك أبدًا عن اسمك."


# -- the content extractor ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    shutil.copytree(I18N / "content", root / "content")
    return read_po(io.BytesIO(render_catalog(extract_template(root))))


def test_extracted_comments_carry_the_node_path_and_translator_notes(
    fixture_template: Catalog,
) -> None:
    welcome = fixture_template.get("Welcome. Nothing here asks for your name.")
    assert welcome is not None
    assert welcome.auto_comments == [
        "flow main / node welcome / text",
        "Translator note: Keep it short and warm.",
    ]
    yes = fixture_template.get("Yes", context="police question")
    assert yes is not None
    assert yes.auto_comments == [
        "flow main / node police / option yes / label",
        LABEL_COMMENT,
        'Translator note: The answer to "Have you talked to the police?"',
    ]
    gives = fixture_template.get("Stay and work.")
    assert gives is not None and gives.auto_comments == ["country RS / pathway rs_stay / gives"]
    keywords = fixture_template.get("privacy, data")
    assert keywords is not None and "comma-separated" in " ".join(keywords.auto_comments)


def test_references_are_file_and_line_and_identical_strings_share_an_entry(
    fixture_template: Catalog,
) -> None:
    serbia = fixture_template.get("Serbia")
    assert serbia is not None
    assert serbia.locations == [("content/countries/rs.yaml", 4), ("content/flows/main.yaml", 33)]
    assert "country RS / name" in serbia.auto_comments
    assert "flow main / node where / option serbia / label" in serbia.auto_comments
    # A statement written as a mapping points at its text line.
    gives = fixture_template.get("Stay and work.")
    assert gives is not None and gives.locations == [("content/countries/rs.yaml", 41)]


def test_a_context_gives_a_separate_entry_for_the_node_and_its_options(
    fixture_template: Catalog,
) -> None:
    plain = fixture_template.get("The police")
    in_context = fixture_template.get("The police", context="police question")
    assert plain is not None and in_context is not None
    assert plain.context is None and plain.locations == [("content/flows/main.yaml", 19)]
    assert in_context.locations == [("content/flows/main.yaml", 42)]
    for text in ("Have you talked to the police?", "Yes", "No", "police, officer"):
        assert fixture_template.get(text, context="police question") is not None, text
        assert fixture_template.get(text) is None, text


def translatable_fields() -> set[str]:
    """Every translatable field name of the content model, found from the file kinds down."""
    names: set[str] = set()
    todo: list[type] = list(FILE_KINDS.values())
    seen: set[type] = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        hints = typing.get_type_hints(cls)
        for name, spec in field_specs(cls):
            if spec.translatable:
                names.add(name)
            elif spec.kind == "object":
                child = _item_class(hints[name])
                if child is not None:
                    todo.append(child)
    return names


def test_every_translatable_field_of_the_model_is_extracted(fixture_template: Catalog) -> None:
    # Driven by the model's specs: the fixture sets every translatable field once, so a new
    # field the extractor missed (or the fixture lacks) fails here.
    extracted = {
        comment.rsplit(" / ", 1)[-1]
        for message in fixture_template
        for comment in message.auto_comments
        if " / " in comment
    }
    assert translatable_fields() <= extracted, translatable_fields() - extracted
    # Names and cities are translated (descriptive names such as "Red Cross" must be);
    # ids, phones, e-mail addresses and URLs are not.
    assert fixture_template.get("Helpers Centre") is not None
    assert fixture_template.get("Belgrade") is not None
    assert fixture_template.get("+381 11 785 0000") is None
    assert fixture_template.get("help@example.org") is None


def test_python_messages_are_extracted_with_their_comments(fresh_template: Catalog) -> None:
    back = fresh_template.get("◀ Back")
    assert back is not None and "Translators: button label" in back.auto_comments
    note = fresh_template.get(MACHINE_TRANSLATION_NOTE)
    assert note is not None and note.locations[0][0] == "bot/engine/render/screens.py"
    checked = fresh_template.get("Checked: {date}")
    assert checked is not None and "python-brace-format" in checked.flags


PYBABEL_ARGS = ("-F", "babel.cfg", "-o")


def test_pybabel_extract_with_babel_cfg_finds_the_same_messages(tmp_path: Path) -> None:
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    shutil.copytree(I18N / "content", tmp_path / "content")
    out = tmp_path / "pybabel.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", *PYBABEL_ARGS, str(out), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with out.open("rb") as fileobj:
        theirs = read_po(fileobj)
    ours = read_po(io.BytesIO(render_catalog(extract_template(tmp_path))))
    assert len(ours) > 20
    assert differences(theirs, ours) == []


def test_a_broken_content_file_is_an_extraction_error_with_its_line() -> None:
    broken = io.BytesIO(b"schema_version: 1\nflow:\n  id: main\n  nodes: [\n")
    broken.name = "content/flows/broken.yaml"
    with pytest.raises(ExtractionError, match=r"^content/flows/broken\.yaml:\d+: YAML syntax"):
        list(extract_content(broken, [], [], {}))


# -- the run-time translator ----------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    """English, Arabic (machine) and Russian (reviewed, the default) from the test catalogs."""
    return load_catalogs(TEST_LOCALES, default_language="ru")


def test_fallback_is_chosen_language_then_default_then_english(catalogs: Catalogs) -> None:
    assert catalogs.gettext("ar", "Serbia") == "صربيا"
    assert catalogs.gettext("ar", "Menu") == "Меню"  # not in Arabic: the default, Russian
    assert catalogs.gettext("ar", "Nowhere at all") == "Nowhere at all"
    assert catalogs.gettext("en", "Menu") == "Menu"  # English chosen: never the default
    assert catalogs.gettext("de", "Menu") == "Меню"  # not offered: the default


def test_fuzzy_and_empty_entries_are_never_shown(catalogs: Catalogs) -> None:
    assert catalogs.gettext("ar", "☰ Menu") == "☰ Menu"
    assert catalogs.gettext("ar", "✖ Hide") == "✖ Hide"
    # Russian's fuzzy "Police" is not shown either: English, not the outdated word.
    assert catalogs.gettext("ru", "Police") == "Police"
    assert catalogs.gettext("ar", "Police") == "الشرطة"


def test_a_context_selects_its_own_translation(catalogs: Catalogs) -> None:
    assert catalogs.gettext("ru", "Yes", "police question") == "Да"
    assert catalogs.gettext("ru", "Yes") == "Yes"


def test_escapes_are_read(catalogs: Catalogs) -> None:
    assert catalogs.gettext("ru", 'Quote "and" escapes\tend') == "Цитата «и» \\ конец\n"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "{n} организация"),
        (3, "{n} организации"),
        (5, "{n} организаций"),
        (11, "{n} организаций"),
        (21, "{n} организация"),
        (0, "{n} организаций"),
    ],
)
def test_russian_plurals_follow_babels_rule(catalogs: Catalogs, n: int, expected: str) -> None:
    assert catalogs.ngettext("ru", *ORGANISATIONS, n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "لا توجد منظمات"),
        (1, "منظمة واحدة"),
        (2, "منظمتان"),
        (3, "{n} منظمات"),
        (11, "{n} منظمة"),
        (100, "{n} منظمة"),
        (102, "{n} منظمة"),
        (110, "{n} منظمات"),
    ],
)
def test_arabic_plurals_follow_babels_rule(catalogs: Catalogs, n: int, expected: str) -> None:
    assert catalogs.ngettext("ar", *ORGANISATIONS, n) == expected


def test_plural_forms_come_from_babel_not_from_the_catalog_header(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    po = locales / "ru" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    header = re.search(r'"Plural-Forms:.*?\\n"\n', text, re.DOTALL)
    assert header is not None
    po.write_text(
        text.replace(header.group(0), '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n')
    )
    wrong_header = load_catalogs(locales)
    assert wrong_header.ngettext("ru", *ORGANISATIONS, 5) == "{n} организаций"
    assert wrong_header.ngettext("en", *ORGANISATIONS, 5) == "{n} organisations"


def test_languages_come_from_the_registry_with_direction_and_review_status(
    catalogs: Catalogs,
) -> None:
    languages = {language.code: language for language in catalogs.languages}
    assert list(languages) == ["en", "ar", "ru"]  # de is disabled: not offered
    assert languages["ar"].rtl and not languages["ar"].reviewed
    assert languages["ru"].reviewed and not languages["ru"].rtl
    assert languages["en"].reviewed
    assert catalogs.default_language == "ru"


def test_a_disabled_language_is_not_loaded_even_with_a_broken_catalog(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    broken = locales / "de" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    broken.write_text('msgid "x"\nmsgstr oops\n', encoding="utf-8")
    assert "de" not in [language.code for language in load_catalogs(locales).languages]


def test_a_missing_catalog_of_an_enabled_language_stops_start_up(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    (locales / "ru" / "LC_MESSAGES" / "messages.po").unlink()
    with pytest.raises(TranslationError, match=r"ru/LC_MESSAGES/messages\.po: missing catalog"):
        load_catalogs(locales)


def test_an_unparsable_catalog_stops_start_up_with_its_line(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Broken"\nmsgstr "no end\n')
    lines = po.read_text(encoding="utf-8").count("\n")
    with pytest.raises(TranslationError, match=rf"messages\.po:{lines}: expected a quoted string"):
        load_catalogs(locales)


def test_a_broken_registry_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "languages.yaml").write_text(
        "languages:\n  - code: en\n    native_name: English\n    direction: ltr\n"
        "    status: source\n    enabled: yes\n",
        encoding="utf-8",
    )
    with pytest.raises(TranslationError, match=r"languages\.yaml:6: invalid enabled 'yes'"):
        load_catalogs(tmp_path)


def test_settings_choose_the_default_and_the_offered_languages() -> None:
    settings = Settings(locales_dir=TEST_LOCALES, default_language="ar", languages=("en", "ar"))
    translator = load_translator(settings)
    assert [language.code for language in translator.languages] == ["en", "ar"]
    assert translator.default_language == "ar"
    with pytest.raises(TranslationError, match="DEFAULT_LANGUAGE='ru' is not offered"):
        load_translator(
            Settings(locales_dir=TEST_LOCALES, default_language="ru", languages=("en",))
        )
    with pytest.raises(TranslationError, match="LANGUAGES names 'de', which is disabled"):
        load_translator(Settings(locales_dir=TEST_LOCALES, languages=("en", "de")))
    with pytest.raises(TranslationError, match=r"LANGUAGES names 'xx', which .* does not list"):
        load_translator(Settings(locales_dir=TEST_LOCALES, languages=("xx",)))


REGISTRY_ENTRY = (
    "  - code: {code}\n    native_name: {name}\n    direction: {direction}\n"
    "    status: {status}\n    enabled: true\n"
)
ENGLISH = REGISTRY_ENTRY.format(code="en", name="English", direction="ltr", status="source")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("languages: [\n", "languages.yaml:2: YAML syntax error"),
        ("languages: []\n", "languages.yaml:1: expected a mapping with a non-empty 'languages:'"),
        (
            "languages:\n" + ENGLISH + "    colour: red\n",
            "languages.yaml:7: unknown field 'colour'",
        ),
        (
            "languages:\n" + ENGLISH.replace("    direction: ltr\n", ""),
            "languages.yaml:2: missing field 'direction'",
        ),
        (
            "languages:\n"
            + ENGLISH
            + REGISTRY_ENTRY.format(code="ar", name="Arabic", direction="ltr", status="machine"),
            "languages.yaml:9: direction 'ltr' for 'ar', but Babel's locale data says 'rtl'",
        ),
        (
            "languages:\n"
            + ENGLISH
            + REGISTRY_ENTRY.format(code="de", name="Deutsch", direction="ltr", status="done"),
            "languages.yaml:10: invalid status 'done'",
        ),
        (
            "languages:\n"
            + REGISTRY_ENTRY.format(code="en", name="English", direction="ltr", status="machine"),
            "languages.yaml:5: invalid status 'machine' for 'en' (expected source)",
        ),
        ("languages:\n" + ENGLISH + ENGLISH, "languages.yaml:7: language 'en' is listed twice"),
        (
            "languages:\n"
            + ENGLISH
            + REGISTRY_ENTRY.format(code="xx_Yyyy", name="X", direction="ltr", status="machine"),
            "languages.yaml:7: Babel does not know the locale 'xx_Yyyy'",
        ),
    ],
)
def test_registry_mistakes_are_reported_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "languages.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as raised:
        read_registry(tmp_path)
    assert expected in str(raised.value), str(raised.value)


def test_a_missing_registry_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="language registry not found"):
        read_registry(tmp_path)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('msgid "a"\n', 1, "msgid with no msgstr"),
        ('msgstr "a"\n', 1, "msgstr with no msgid"),
        ('msgid "a"\nmsgstr[0] "b"\n', 2, "without msgid_plural"),
        ('msgid "a"\nmsgid_plural "b"\nmsgstr "c"\n', 3, "needs msgstr[0]"),
        ('msgid "a"\nmsgstr "b\\q"\n', 2, "unknown escape"),
        ('msgid "a"\nmsgstr "b" "c"\n', 2, 'an unescaped "'),
        ('msgid "a"\nmsgstr b\n', 2, "expected a quoted string"),
        ('"orphan"\n', 1, "a quoted string with no msgid"),
        ('msgid "a"\nmsgfoo "b"\n', 2, "unknown keyword"),
        ('msgid "a"\nmsgctxt "c"\nmsgstr "b"\n', 2, "msgctxt must come before msgid"),
    ],
)
def test_the_po_reader_reports_the_line_of_a_mistake(text: str, line: int, message: str) -> None:
    with pytest.raises(PoSyntaxError) as raised:
        parse_po(text)
    assert raised.value.line == line and message in raised.value.message


def test_the_po_reader_joins_continued_strings_and_skips_obsolete_entries() -> None:
    text = (
        'msgctxt "c"\nmsgid ""\n"long "\n"text"\nmsgstr ""\n"lange "\n"Text"\n\n'
        '#~ msgid "old"\n#~ msgstr "alt"\n'
    )
    assert parse_po(text).singular == {("c", "long text"): "lange Text"}


# -- screens in a translated language, right to left ----------------------------------------


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(I18N / "content", today=TODAY)


def test_arabic_help_now_is_translated_and_numbers_and_names_keep_their_order(
    content: Content, catalogs: Catalogs
) -> None:
    user = EngineUser(content, translator=catalogs)
    user.send(ev.Start(language="ar", country="RS"))
    screen = user.send(ev.HelpNow())
    assert screen.rtl
    assert screen.title == "🆘 مساعدة فورية: صربيا"
    lines = screen.text.splitlines()
    assert "أرقام الطوارئ (صربيا):" in lines
    police = next(line for line in lines if "الشرطة" in line)
    assert f"الشرطة: {FSI}192{PDI}" in police
    assert "ليلًا ونهارًا" in police and "مجانًا." in police
    sos = next(line for line in lines if "خط الطوارئ" in line)
    assert re.search(rf"{FSI}Helpers Centre{PDI}, خط الطوارئ: {FSI}\+381[\d ]+{PDI}", sos), sos
    # Fuzzy Arabic "☰ القائمة" is not shown: the English label, isolated in the RTL line.
    assert f"☰ {FSI}Menu{PDI}" in user.labels()
    assert not any("القائمة" in label for label in user.labels())


def test_a_left_to_right_language_gets_no_isolates(content: Content, catalogs: Catalogs) -> None:
    user = EngineUser(content, translator=catalogs)
    user.send(ev.Start(language="ru", country="RS"))
    screen = user.send(ev.HelpNow())
    assert not screen.rtl and FSI not in screen.text + screen.title


def test_the_language_picker_says_which_languages_are_machine_translated(
    content: Content, catalogs: Catalogs
) -> None:
    user = EngineUser(content, translator=catalogs)
    screen = user.send(ev.Start())
    assert "not yet checked by a native speaker" in screen.text
    assert "العربية *" in user.labels() and "Русский" in user.labels()


@pytest.mark.parametrize(("language", "noted"), [("ar", True), ("ru", False), ("en", False)])
def test_privacy_says_when_the_language_is_machine_translated(
    content: Content, catalogs: Catalogs, language: str, noted: bool
) -> None:
    user = EngineUser(content, translator=catalogs)
    user.send(ev.Start(language=language))
    screen = user.send(ev.ShowTopic("about"))
    assert ("تُرجمت هذه اللغة آليًا" in screen.text) is noted
    assert "translated by machine" not in screen.text


@pytest.mark.parametrize(
    ("text", "isolated"),
    [
        ("اتصل بالرقم +381 11 785 0000 الآن.", ["+381 11 785 0000"]),
        ("الشرطة: 192", ["192"]),
        ("المدة 12 شهرا و 30 يوما", ["12", "30"]),
        ("من 9:00 إلى 17:00", ["9:00", "17:00"]),
        ("راجع https://example.org/help?x=1. شكرا", ["https://example.org/help?x=1"]),
        ("راسلنا على info@astra.rs أو اتصل", ["info@astra.rs"]),
        ("منظمة ASTRA – Anti Trafficking Action تساعدك", ["ASTRA – Anti Trafficking Action"]),
        ("المادة Article 40(1) من Zakon o strancima.", ["Article 40(1)", "Zakon o strancima"]),
        ("Službeni glasnik RS 24/2018، 31/2019", ["Službeni glasnik RS 24/2018", "31/2019"]),
        ("غيّر اللغة باستخدام /language أو /start.", []),  # commands stay clickable
        # Never across a line break; brackets only when balanced; Vietnamese letters.
        ("المادة 11.\n\n2. نص", ["11", "2"]),
        ("المبادئ التوجيهية رقم 7 (2006) للمفوضية", ["7 (2006)"]),
        ("§ 57(1) من القانون", ["57(1)"]),
        ("اللغة Tiếng Việt متاحة", ["Tiếng Việt"]),
    ],
)
def test_right_to_left_lines_isolate_numbers_urls_emails_and_latin_names(
    text: str, isolated: list[str]
) -> None:
    result = isolate_ltr_runs(text)
    assert re.findall(f"{FSI}(.*?){PDI}", result) == isolated
    assert isolate_ltr_runs(result) == result  # applying it twice changes nothing
    assert result.replace(FSI, "").replace(PDI, "") == text


# -- the commands ----------------------------------------------------------------------------


def test_status_reports_each_language_and_gates_on_min(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = make_project(tmp_path)
    capsys.readouterr()
    assert main(["i18n", "status", "--locales", str(locales)]) == 0
    out = capsys.readouterr().out
    total = len([m for m in read_template(locales) if m.id])
    assert re.search(rf"^en English\s+source\s+yes\s+{total} \(source\)", out, re.MULTILINE)
    assert re.search(r"^de Deutsch\s+machine\s+no\s+0\s+0\.0 %", out, re.MULTILINE)
    # The test catalogs translate some messages of this content; Russian has one fuzzy.
    # Russian translates 3 of the test messages; pybabel-style fuzzy matching has turned
    # some entries of other content into fuzzy guesses (counted, never shown).
    percent = f"{100 * 3 / total:.1f}".replace(".", r"\.")
    assert re.search(rf"^ru \S+\s+reviewed\s+yes\s+3\s+{percent} %\s+[1-9]", out, re.M), out
    assert main(["i18n", "status", "--locales", str(locales), "--min", "0"]) == 0
    assert main(["i18n", "status", "--locales", str(locales), "--min", "100"]) == 1
    assert "under 100 % translated: ar" in capsys.readouterr().err


def test_status_with_all_holds_disabled_languages_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = make_project(tmp_path)
    for code in ("ar", "ru"):
        path = locales / code / "LC_MESSAGES" / "messages.po"
        catalog = read_catalog_file(path)
        for message in catalog:
            if isinstance(message.id, str) and message.id:
                message.string, message.flags = f"[{code}] {message.id}", set()
        write_catalog(catalog, path)
    assert main(["i18n", "status", "--locales", str(locales), "--min", "100"]) == 0
    assert main(["i18n", "status", "--locales", str(locales), "--min", "100", "--all"]) == 1
    assert "under 100 % translated: de (0.0 %)" in capsys.readouterr().err


def test_update_creates_missing_catalogs_and_is_stable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = make_project(tmp_path)
    de = locales / "de" / "LC_MESSAGES" / "messages.po"
    assert de.is_file() and 'msgid "Serbia"' in de.read_text(encoding="utf-8")
    assert '"Language: de\\n"' in de.read_text(encoding="utf-8")
    before = {p: p.read_bytes() for p in locales.rglob("*.po*")}
    capsys.readouterr()
    assert main(["i18n", "extract", "--root", str(tmp_path), "--locales", str(locales)]) == 0
    assert main(["i18n", "update", "--locales", str(locales)]) == 0
    assert "(unchanged)" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in locales.rglob("*.po*")} == before
    assert "POT-Creation-Date" not in (locales / "messages.pot").read_text(encoding="utf-8")


def test_update_keeps_existing_translations(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    template = read_po(io.BytesIO(render_catalog(extract_template(_project(tmp_path)))))
    ar = by_code("ar", read_registry(locales))
    merged = updated_catalog(template, ar, ar.catalog_path(locales))
    serbia = merged.get("Serbia")
    assert serbia is not None and serbia.string == "صربيا"
    assert serbia.locations == [("content/countries/rs.yaml", 4), ("content/flows/main.yaml", 33)]
    assert merged.get("☰ Menu") is None  # not in this content any more: dropped


def _project(root: Path) -> Path:
    project = root / "project"
    project.mkdir()
    shutil.copy(ROOT / "babel.cfg", project / "babel.cfg")
    shutil.copytree(I18N / "content", project / "content")
    return project


def test_compile_writes_mo_files_gettext_can_read(tmp_path: Path) -> None:
    out = tmp_path / "mo"
    assert main(["i18n", "compile", "--locales", str(TEST_LOCALES), "--out", str(out)]) == 0
    with (out / "ar" / "LC_MESSAGES" / "messages.mo").open("rb") as fileobj:
        compiled = gettext.GNUTranslations(fileobj)
    assert compiled.gettext("Serbia") == "صربيا"
    assert compiled.gettext("☰ Menu") == "☰ Menu"  # fuzzy: left out


def test_compile_rejects_broken_placeholders_and_labels_too_long(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('"تاريخ التحقق: {date}"', '"تاريخ التحقق: {التاريخ}"')
    text = text.replace('msgstr "◀ رجوع"', f'msgstr "{"ر" * (LABEL_MAX + 1)}"')
    po.write_text(text, encoding="utf-8")
    assert main(["i18n", "compile", "--locales", str(locales), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"messages\.po:\d+: placeholders \{التاريخ\} .* \(expected \{date\}", err)
    assert re.search(rf"messages\.po:\d+: button label translation is {LABEL_MAX + 1} char", err)
    assert not (tmp_path / "ar" / "LC_MESSAGES" / "messages.mo").exists()


def test_a_catalog_with_another_number_of_plural_forms_than_babels_is_rejected(
    tmp_path: Path,
) -> None:
    po = tmp_path / "messages.po"
    text = (TEST_LOCALES / "ru" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    text = re.sub(r"nplurals=3; plural=[^;]*;", "nplurals=2; plural=(n != 1);", text)
    po.write_text(text.replace('msgstr[2] "{n} организаций"\n', ""), encoding="utf-8")
    ru = by_code("ru", read_registry(TEST_LOCALES))
    found = list(problems(read_catalog_file(po, locale="ru"), ru, po))
    assert len(found) == 1 and "2 plural forms (expected 3 for ru" in found[0], found
    # The bot does not use such an entry: it falls back to English.
    catalog = read_catalog(ru, po)
    assert catalog.plural(ORGANISATIONS[0], 5) is None


def test_a_plural_translation_may_leave_out_the_count_but_nothing_else() -> None:
    ar = by_code("ar", read_registry(TEST_LOCALES))
    catalog = Catalog(locale="ar")
    catalog.add(("{n} file in {place}", "{n} files in {place}"), tuple(["في {place}"] * 6))
    catalog.add(("{n} day", "{n} days"), ("يوم", "يوم", "يومان", "{n} أيام", "{n} يوم", "{n} x"))
    catalog.add(("{n} week", "{n} weeks"), tuple(["{n} {weeks}"] * 6))
    found = list(problems(catalog, ar, Path("ar.po")))
    assert len(found) == 6 and all("{weeks}" in line for line in found), found


def test_chat_shows_the_chosen_language_and_fails_on_a_missing_catalog(tmp_path: Path) -> None:
    env = {**os.environ, "LOCALES_DIR": str(TEST_LOCALES), "DEFAULT_LANGUAGE": "en"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    command = [sys.executable, "-m", "bot", "chat", "--content", str(I18N / "content")]
    result = subprocess.run(
        [*command, "--lang", "ar", "--start", "test-ar-RS"],
        input="/sos\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "أرقام الطوارئ" in result.stdout and f"{FSI}192{PDI}" in result.stdout

    locales = tmp_path / "locales"
    shutil.copytree(TEST_LOCALES, locales)
    (locales / "ar" / "LC_MESSAGES" / "messages.po").unlink()
    result = subprocess.run(
        [*command, "--lang", "ar"],
        input="",
        env={**env, "LOCALES_DIR": str(locales)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "translation error:" in result.stderr and "missing catalog" in result.stderr
