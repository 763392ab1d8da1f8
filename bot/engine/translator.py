"""What the engine needs from translations, and an English-only implementation.

The engine is pure: it receives a :class:`Translator` and never loads catalogs itself.
:mod:`bot.i18n` provides the real one, backed by gettext catalogs.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Protocol

from babel.dates import format_date


@dataclass(frozen=True)
class Language:
    """A language users can pick."""

    code: str
    native_name: str
    rtl: bool = False
    #: Whether a native speaker has reviewed the translation.
    reviewed: bool = True


class Translator(Protocol):
    """Translations for every enabled language."""

    @property
    def languages(self) -> tuple[Language, ...]:
        """Enabled languages, in the order the picker shows them."""
        ...

    @property
    def default_language(self) -> str:
        """The language used when the user has not chosen one."""
        ...

    def gettext(self, language: str, message: str, context: str = "") -> str:
        """``message`` in ``language`` (falling back as configured, finally to English)."""
        ...

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        """The plural form of a message for count ``n`` in ``language``."""
        ...


class SourceTranslator:
    """English only: messages are returned as written (the source language)."""

    def __init__(self) -> None:
        self._languages = (Language("en", "English"),)

    @property
    def languages(self) -> tuple[Language, ...]:
        """Only English."""
        return self._languages

    @property
    def default_language(self) -> str:
        """English."""
        return "en"

    def gettext(self, language: str, message: str, context: str = "") -> str:
        """The message itself."""
        return message

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        """English plural rule."""
        return singular if n == 1 else plural


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction; it is translated later, where its language is known."""
    return message


def language_of(translator: Translator, code: str) -> Language:
    """The enabled language with ``code``, or the default one."""
    for language in translator.languages:
        if language.code == code:
            return language
    return (
        language_of(translator, translator.default_language)
        if code != translator.default_language
        else translator.languages[0]
    )


# Every screen that states a fact shows a date; Babel's formatting is slow by comparison
# with the rest of a step, and the content has few distinct review dates.
@functools.lru_cache(maxsize=1024)
def format_day(language: str, value: dt.date) -> str:
    """A date as people of ``language`` write it (e.g. "23 Nov 2026")."""
    locale = language.replace("zh_Hans", "zh_Hans_CN")
    try:
        return str(format_date(value, format="medium", locale=locale))
    except (ValueError, LookupError):
        return value.isoformat()
