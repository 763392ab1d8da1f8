"""Internationalisation: gettext catalogs and the language registry.

``load_translator(settings)`` gives the engine's translator, read from ``locales/`` at
start-up; it raises :class:`TranslationError` when an enabled language cannot be loaded.
"""

from bot.i18n.catalogs import Catalogs, TranslationError, load_translator

__all__ = ["Catalogs", "TranslationError", "load_translator"]
