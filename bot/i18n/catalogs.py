"""The run-time translator: every enabled language's catalog, read at start-up.

:func:`load_translator` reads ``locales/languages.yaml`` and the ``.po`` file of every
enabled language (no compile step: a fresh clone works at once) and returns a
:class:`Catalogs`, the engine's :class:`~bot.engine.translator.Translator`.

A missing or unreadable catalog of an enabled language stops start-up with a
:class:`TranslationError`; Babel's ``Translations.load`` would silently fall back to
English instead, which would hide the mistake from whoever deploys the bot.

Lookups fall back from the chosen language to the default language, then to English (the
msgid itself). Fuzzy and empty entries are never shown: the reader drops them. Plural forms
follow Babel's locale data for the language, not the catalog's header.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.plurals import get_plural

from bot.engine.translator import Language, Translator
from bot.i18n.pofile import PoMessages, PoSyntaxError, parse_po
from bot.i18n.registry import (
    REGISTRY_FILE,
    SOURCE_LANGUAGE,
    RegisteredLanguage,
    RegistryError,
    read_registry,
)

if TYPE_CHECKING:
    from bot.config import Settings


class TranslationError(Exception):
    """The translations cannot be loaded; the message says where and what was expected."""


@dataclass(frozen=True)
class LanguageCatalog:
    """The usable translations of one language and its plural rule."""

    language: RegisteredLanguage
    messages: PoMessages
    #: Index of the plural form for a count (Babel's rule for the language).
    plural_index: Callable[[int], int]
    #: How many plural forms the language has.
    plural_count: int

    def plural(self, singular: str, n: int) -> str | None:
        """The plural form for ``n``, or ``None`` when the entry is untranslated."""
        forms = self.messages.plural.get(("", singular))
        index = self.plural_index(n)
        if forms is None or len(forms) != self.plural_count or not 0 <= index < len(forms):
            return None
        return forms[index]


def plural_rule(locale: str) -> tuple[int, Callable[[int], int]]:
    """``(number of forms, function from count to form index)`` from Babel's locale data."""
    rule = get_plural(locale)
    return rule.num_plurals, gettext.c2py(rule.plural_expr)


def read_catalog(language: RegisteredLanguage, path: Path) -> LanguageCatalog:
    """Read one language's ``.po`` file; raises :class:`TranslationError` if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TranslationError(
            f"{path}: missing catalog for the enabled language {language.code!r} (expected "
            f"a messages.po: run `python -m bot i18n update` and translate it, or set "
            f"enabled: false for it in {REGISTRY_FILE})"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TranslationError(f"{path}: cannot read the catalog ({exc})") from exc
    try:
        messages = parse_po(text)
    except PoSyntaxError as exc:
        raise TranslationError(f"{path}:{exc.line}: {exc.message} (expected PO syntax)") from exc
    count, index = plural_rule(language.locale)
    return LanguageCatalog(language, messages, index, count)


class Catalogs:
    """Translations for every offered language (implements the engine's ``Translator``)."""

    def __init__(
        self,
        languages: Iterable[RegisteredLanguage],
        catalogs: Mapping[str, LanguageCatalog],
        default_language: str,
    ) -> None:
        self._registered = tuple(languages)
        self._languages = tuple(lang.language() for lang in self._registered)
        self._catalogs = dict(catalogs)
        codes = [lang.code for lang in self._registered]
        if default_language not in codes:
            raise TranslationError(
                f"the default language {default_language!r} is not offered "
                f"(expected one of: {', '.join(codes)})"
            )
        for lang in self._registered:
            if not lang.is_source and lang.code not in self._catalogs:
                raise TranslationError(f"no catalog loaded for {lang.code!r}")
        self._default = default_language
        #: fallbacks() by language: asked for every message shown.
        self._chains: dict[str, tuple[str, ...]] = {}
        #: By language: every message's text after the fallbacks, so a lookup is one get.
        self._resolved: dict[str, dict[tuple[str, str], str]] = {}

    @property
    def languages(self) -> tuple[Language, ...]:
        """Offered languages, in the registry's order."""
        return self._languages

    @property
    def default_language(self) -> str:
        """The language used when the user has not chosen one."""
        return self._default

    def fallbacks(self, language: str) -> tuple[str, ...]:
        """Where to look for a message: the language, the default, then the source."""
        known = self._chains.get(language)
        if known is not None:
            return known
        chain: list[str] = []
        for code in (language, self._default, SOURCE_LANGUAGE):
            if code not in chain:
                chain.append(code)
            if code == SOURCE_LANGUAGE:
                break
        if language in self._catalogs or language == SOURCE_LANGUAGE:
            self._chains[language] = tuple(chain)  # only real languages: the dict stays small
        return tuple(chain)

    def gettext(self, language: str, message: str, context: str = "") -> str:
        """``message`` in ``language``, else in the default language, else English."""
        return self._resolved_texts(language).get((context, message)) or message

    def _resolved_texts(self, language: str) -> dict[tuple[str, str], str]:
        """(context, message) → the text shown in ``language``: its translation where there is
        one, else the default language's; fuzzy and empty entries are not in the catalogs."""
        resolved = self._resolved.get(language)
        if resolved is not None:
            return resolved
        resolved = {}
        for code in reversed(self.fallbacks(language)):  # the best text is written last
            catalog = self._catalogs.get(code)
            if catalog is not None:
                resolved.update(item for item in catalog.messages.singular.items() if item[1])
        if language in self._catalogs or language == SOURCE_LANGUAGE:
            self._resolved[language] = resolved  # only real languages: the dict stays small
        return resolved

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        """The plural form for ``n`` in ``language`` (same fallbacks as :meth:`gettext`)."""
        for code in self.fallbacks(language):
            catalog = self._catalogs.get(code)
            if catalog is not None:
                found = catalog.plural(singular, n)
                if found:
                    return found
        return singular if n == 1 else plural


def offered_languages(
    registry: tuple[RegisteredLanguage, ...], wanted: tuple[str, ...], locales_dir: Path
) -> tuple[RegisteredLanguage, ...]:
    """The enabled languages, or those of ``wanted`` (``LANGUAGES``), in registry order.

    Raises :class:`TranslationError` when ``wanted`` names an unknown or disabled language.
    """
    by_code = {lang.code: lang for lang in registry}
    problems = []
    for code in wanted:
        lang = by_code.get(code)
        if lang is None:
            problems.append(
                f"LANGUAGES names {code!r}, which {locales_dir / REGISTRY_FILE} does not list "
                f"(expected one of: {', '.join(by_code)})"
            )
        elif not lang.enabled:
            problems.append(
                f"LANGUAGES names {code!r}, which is disabled in "
                f"{locales_dir / REGISTRY_FILE}:{lang.line} (expected an enabled language; "
                f"enable it once its catalog is complete)"
            )
    if problems:
        raise TranslationError("\n".join(problems))
    return tuple(lang for lang in registry if lang.enabled and (not wanted or lang.code in wanted))


def load_catalogs(
    locales_dir: Path, *, languages: tuple[str, ...] = (), default_language: str = SOURCE_LANGUAGE
) -> Catalogs:
    """Read the registry and the catalog of every offered language under ``locales_dir``.

    Raises :class:`TranslationError` for a broken registry, a missing or unparsable catalog
    of an enabled language, or a default language that is not offered.
    """
    try:
        registry = read_registry(locales_dir)
    except RegistryError as exc:
        raise TranslationError(str(exc)) from exc
    offered = offered_languages(registry, languages, locales_dir)
    if not offered:
        raise TranslationError(
            f"{locales_dir / REGISTRY_FILE}: no language is enabled (expected at least "
            f"{SOURCE_LANGUAGE!r} with enabled: true)"
        )
    if default_language not in [lang.code for lang in offered]:
        raise TranslationError(
            f"DEFAULT_LANGUAGE={default_language!r} is not offered (expected one of: "
            f"{', '.join(lang.code for lang in offered)}; see {locales_dir / REGISTRY_FILE})"
        )
    catalogs = {
        lang.code: read_catalog(lang, lang.catalog_path(locales_dir))
        for lang in offered
        if not lang.is_source
    }
    return Catalogs(offered, catalogs, default_language)


def load_translator(settings: Settings) -> Translator:
    """The translator for ``settings`` (LOCALES_DIR, DEFAULT_LANGUAGE, LANGUAGES).

    Raises :class:`TranslationError` with a clear message when it cannot be loaded.
    """
    return load_catalogs(
        settings.locales_dir,
        languages=settings.languages,
        default_language=settings.default_language,
    )
