"""The language registry, ``locales/languages.yaml``: which languages exist and how to show them.

Each entry has the code (the folder under ``locales/``), the native name shown in the language
picker, the text direction, the review status and whether the language is offered
(``enabled``). ``locale`` is the Babel locale (plural rules, dates) when it differs from the
code: Serbian in Latin script is ``sr`` with locale ``sr_Latn``.

Review status: ``source`` for English (the language the messages are written in), ``machine``
for a translation no native speaker has checked yet, ``reviewed`` once one has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.content.yamlsrc import LocatedDict, LocatedList, YamlSyntaxError, load_yaml
from bot.engine.translator import Language

REGISTRY_FILE = "languages.yaml"
#: The language the messages are written in (the msgids); it has no catalog.
SOURCE_LANGUAGE = "en"
CODE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
DIRECTIONS = ("ltr", "rtl")
STATUSES = ("source", "machine", "reviewed")
_REQUIRED = ("code", "native_name", "direction", "status", "enabled")
_FIELDS = (*_REQUIRED, "locale")


class RegistryError(Exception):
    """The registry is missing or malformed; each line says ``file:line: what is wrong``."""


@dataclass(frozen=True)
class RegisteredLanguage:
    """One entry of ``languages.yaml``."""

    code: str
    native_name: str
    direction: str
    status: str
    enabled: bool
    #: The Babel locale (plural rules, dates); the code unless given.
    locale: str
    #: The line of the entry in ``languages.yaml``, for messages.
    line: int = 0

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.direction == "rtl"

    @property
    def is_source(self) -> bool:
        """Whether this is the source language (the msgids themselves)."""
        return self.status == "source"

    @property
    def reviewed(self) -> bool:
        """Whether a native speaker has checked the text (the source needs no check)."""
        return self.status in ("source", "reviewed")

    def language(self) -> Language:
        """The engine's view of this language."""
        return Language(self.code, self.native_name, rtl=self.rtl, reviewed=self.reviewed)

    def catalog_path(self, locales_dir: Path) -> Path:
        """Where this language's catalog is: ``<locales>/<code>/LC_MESSAGES/messages.po``."""
        return catalog_path(locales_dir, self.code)


def catalog_path(locales_dir: Path, code: str) -> Path:
    """``<locales_dir>/<code>/LC_MESSAGES/messages.po``."""
    return locales_dir / code / "LC_MESSAGES" / "messages.po"


def read_registry(locales_dir: Path) -> tuple[RegisteredLanguage, ...]:
    """Every language of ``<locales_dir>/languages.yaml``, in file order.

    Raises :class:`RegistryError` listing every mistake as ``file:line: message``.
    """
    path = locales_dir / REGISTRY_FILE
    if not path.is_file():
        raise RegistryError(
            f"{path}: language registry not found (expected a 'languages:' list, "
            "see locales/README.md)"
        )
    try:
        raw = load_yaml(path)
    except YamlSyntaxError as exc:
        raise RegistryError(f"{path}:{exc.line}: {exc.message}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the language registry: {exc}") from exc
    items = raw.get("languages") if isinstance(raw, LocatedDict) else None
    if not isinstance(items, LocatedList) or not items:
        raise RegistryError(f"{path}:1: expected a mapping with a non-empty 'languages:' list")
    errors: list[str] = []
    result: list[RegisteredLanguage] = []
    for item, line in zip(items, items.item_lines, strict=True):
        entry = _entry(item, line, f"{path}:{line}", errors)
        if entry is None:
            continue
        if any(e.code == entry.code for e in result):
            errors.append(f"{path}:{line}: language {entry.code!r} is listed twice")
        result.append(entry)
    sources = [e for e in result if e.is_source]
    if not errors and [e.code for e in sources] != [SOURCE_LANGUAGE]:
        errors.append(
            f"{path}:{items.line}: expected exactly one entry with status source, "
            f"{SOURCE_LANGUAGE!r} (the language the messages are written in)"
        )
    if errors:
        raise RegistryError("\n".join(errors))
    return tuple(result)


def _entry(item: object, line: int, where: str, errors: list[str]) -> RegisteredLanguage | None:
    """Check one entry; append ``file:line`` messages to ``errors``."""
    if not isinstance(item, LocatedDict):
        errors.append(f"{where}: expected a mapping with {', '.join(_REQUIRED)}")
        return None
    start = len(errors)
    file = where.rsplit(":", 1)[0]

    def at(key: str) -> str:
        return f"{file}:{item.key_lines.get(key, line)}"

    for key in item:
        if key not in _FIELDS:
            errors.append(
                f"{at(key)}: unknown field {key!r} (expected one of {', '.join(_FIELDS)})"
            )
    for key in _REQUIRED:
        if key not in item:
            errors.append(f"{where}: missing field {key!r}")
    if len(errors) > start:
        return None
    code = item["code"]
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors.append(f"{at('code')}: invalid code {code!r} (expected e.g. en, ar or zh_Hans)")
    name = item["native_name"]
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{at('native_name')}: empty native_name (the language's name in itself)")
    direction = item["direction"]
    if direction not in DIRECTIONS:
        errors.append(f"{at('direction')}: invalid direction {direction!r} (expected ltr or rtl)")
    status = item["status"]
    if status not in STATUSES:
        errors.append(f"{at('status')}: invalid status {status!r} (expected {', '.join(STATUSES)})")
    elif (status == "source") != (code == SOURCE_LANGUAGE):
        expected = "source" if code == SOURCE_LANGUAGE else "machine or reviewed"
        errors.append(
            f"{at('status')}: invalid status {status!r} for {code!r} (expected {expected})"
        )
    enabled = item["enabled"]
    if not isinstance(enabled, bool):
        errors.append(f"{at('enabled')}: invalid enabled {enabled!r} (expected true or false)")
    locale = item.get("locale", code)
    try:
        babel_locale = Locale.parse(str(locale))
    except (ValueError, TypeError, UnknownLocaleError):
        errors.append(f"{at('locale')}: Babel does not know the locale {locale!r}")
    else:
        if direction in DIRECTIONS and babel_locale.text_direction != direction:
            errors.append(
                f"{at('direction')}: direction {direction!r} for {code!r}, but Babel's "
                f"locale data says {babel_locale.text_direction!r} (expected that)"
            )
    if len(errors) > start:
        return None
    return RegisteredLanguage(
        code=str(code),
        native_name=str(name).strip(),
        direction=str(direction),
        status=str(status),
        enabled=bool(enabled),
        locale=str(locale),
        line=line,
    )
