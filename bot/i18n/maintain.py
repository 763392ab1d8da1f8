"""Keeping the catalogs in step with the template: update, status, checks and compile.

These are the translators' and CI's tools (``python -m bot i18n ...``); they read catalogs
with Babel, which keeps everything Poedit and Weblate need. The bot itself reads catalogs
with :mod:`bot.i18n.pofile`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, unescape

from bot.content.limits import LABEL_MAX, MESSAGE_MAX
from bot.i18n.catalogs import plural_rule
from bot.i18n.registry import RegisteredLanguage
from bot.i18n.template import PROJECT, extract_template, render_catalog, template_path

#: A ``{name}`` placeholder, as the engine fills them (``str.format`` with names only).
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Extracted comments that mark a message shown as a button label.
LABEL_MARK = "button label"
#: The placeholder the engine always fills in plural messages (the count).
COUNT = "n"


class CatalogError(Exception):
    """A catalog or the template cannot be read; the message names ``file:line``."""


def read_catalog_file(path: Path, locale: str | None = None) -> Catalog:
    """Read a PO or POT file with Babel; raises :class:`CatalogError` naming the line."""
    try:
        with path.open("rb") as fileobj:
            catalog = read_po(fileobj, locale=locale, abort_invalid=True)
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: not found") from exc
    except PoFileError as exc:
        problem = str(exc).rsplit(" on ", 1)[0]
        raise CatalogError(f"{path}:{exc.lineno}: {problem} (expected PO syntax)") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({exc})") from exc
    _restore_previous_ids(catalog)
    return catalog


def _restore_previous_ids(catalog: Catalog) -> None:
    """Read ``#| msgid "..."`` lines as the previous msgid, as gettext's tools do.

    Babel writes these lines for fuzzy entries but reads them back as translator comments
    (``| msgid "..."``), which would then be written as ``# | msgid`` and pile up.
    """
    for message in catalog:
        previous: list[str] = []
        kept: list[str] = []
        for comment in message.user_comments:
            if not comment.startswith("|"):
                kept.append(comment)
                continue
            keyword, _, rest = comment[1:].strip().partition(" ")
            if keyword in ("msgid", "msgid_plural"):
                previous.append(unescape(rest))
            elif keyword.startswith('"') and previous:
                previous[-1] += unescape(comment[1:].strip())
        if previous or len(kept) != len(message.user_comments):
            message.user_comments = kept
            message.previous_id = previous


def read_template(locales_dir: Path) -> Catalog:
    """``locales/messages.pot``; raises :class:`CatalogError` if missing or broken."""
    path = template_path(locales_dir)
    if not path.is_file():
        raise CatalogError(f"{path}: not found (run `python -m bot i18n extract` first)")
    return read_catalog_file(path)


def template_differences(root: Path, locales_dir: Path, fresh: Catalog | None = None) -> list[str]:
    """Why ``messages.pot`` is out of date with the sources under ``root`` (empty: it is not).

    The template is extracted afresh (or ``fresh`` is used, if given) and compared entry by
    entry: messages, contexts, references, comments and flags (not the header).
    """
    path = template_path(locales_dir)
    if not path.is_file():
        return [f"{path}: missing (run `python -m bot i18n extract`)"]
    # A write-and-read round trip, so the comparison sees comments wrapped as in the file.
    wanted = read_po(io.BytesIO(render_catalog(fresh or extract_template(root))))
    return [f"{path}: {d}" for d in differences(read_catalog_file(path), wanted)]


# -- comparing ------------------------------------------------------------------------------


def _entry(message: Message) -> tuple[object, ...]:
    """What makes two entries the same in a file (not where in the file they are)."""
    return (
        message.id,
        message.context,
        message.string,
        sorted(message.flags),
        list(message.locations),
        list(message.auto_comments),
        list(message.user_comments),
        list(message.previous_id),
    )


def differences(current: Catalog, wanted: Catalog, *, limit: int = 5) -> list[str]:
    """How ``current`` differs from ``wanted`` (entries only, not the header), briefly."""
    found: list[str] = []
    have = {_key(m): m for m in current if m.id}
    want = {_key(m): m for m in wanted if m.id}
    for key in want.keys() - have.keys():
        found.append(f"missing {_show(key)}")
    for key in have.keys() - want.keys():
        found.append(f"no longer in the sources: {_show(key)}")
    for key in have.keys() & want.keys():
        if _entry(have[key]) != _entry(want[key]):
            found.append(f"changed (translation, references, comments or flags): {_show(key)}")
    found.sort()
    if len(found) > limit:
        found = [*found[:limit], f"... and {len(found) - limit} more"]
    return found


def _key(message: Message) -> tuple[str, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context or "", msgid


def _show(key: tuple[str, str]) -> str:
    context, msgid = key
    short = msgid if len(msgid) <= 60 else msgid[:57] + "..."
    return repr(short) + (f" (context {context!r})" if context else "")


# -- update ---------------------------------------------------------------------------------


def updated_catalog(template: Catalog, language: RegisteredLanguage, path: Path) -> Catalog:
    """The language's catalog merged with ``template``, as ``pybabel update`` merges.

    New messages are added empty; messages gone from the template are dropped; a message
    whose English changed keeps its old translation marked fuzzy (with the previous msgid),
    so it is not shown until a translator confirms it. A missing file starts empty.
    """
    if path.is_file():
        catalog = read_catalog_file(path, locale=language.locale)
    else:
        catalog = Catalog(
            locale=language.locale,
            project=PROJECT,
            version=template.version,
            header_comment=f"# {language.native_name} ({language.code}) translation of the "
            f"Pathways messages.\n# See locales/README.md.",
            fuzzy=False,
        )
    # Babel's update forgets the previous msgid of an entry that is still fuzzy; keep it,
    # so translators' tools go on showing what changed until someone confirms the entry.
    previous = {_key(m): m.previous_id for m in catalog if m.fuzzy and m.previous_id}
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        if message.fuzzy and not message.previous_id and _key(message) in previous:
            message.previous_id = previous[_key(message)]
    return catalog


def is_current(template: Catalog, language: RegisteredLanguage, path: Path) -> list[str]:
    """Why the catalog at ``path`` is out of date with ``template`` (empty: it is current).

    The same question as ``pybabel update --check``: would updating change it?
    """
    if not path.is_file():
        return [f"{path}: missing (run `python -m bot i18n update`)"]
    current = read_catalog_file(path, locale=language.locale)
    wanted = updated_catalog(template, language, path)
    return [f"{path}: {d}" for d in differences(current, wanted)]


def write_catalog(catalog: Catalog, path: Path) -> bool:
    """Write ``catalog`` to ``path`` with a stable header; whether the file changed."""
    data = render_catalog(catalog)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


# -- status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """How much of the template one catalog translates."""

    total: int
    translated: int
    fuzzy: int

    @property
    def missing(self) -> int:
        """Messages with no usable translation and no fuzzy one either."""
        return self.total - self.translated - self.fuzzy

    def as_row(self) -> tuple[int, int, int]:
        """``(translated, fuzzy, missing)``, as ``status`` prints them."""
        return self.translated, self.fuzzy, self.missing

    def percent(self, count: int) -> float:
        """``count`` as a percentage of all messages (100 for an empty template)."""
        return 100.0 if self.total == 0 else 100.0 * count / self.total


def is_translated(message: Message) -> bool:
    """Whether the bot shows this entry's translation: not fuzzy, every form filled."""
    if message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(forms) and all(forms)


def count(template: Catalog, catalog: Catalog | None) -> Counts:
    """Translated, fuzzy and missing messages of ``catalog`` against ``template``."""
    total = translated = fuzzy = 0
    for wanted in template:
        if not wanted.id:
            continue
        total += 1
        found = catalog.get(wanted.id, wanted.context) if catalog is not None else None
        if found is None:
            continue
        if is_translated(found):
            translated += 1
        elif found.fuzzy and any(
            found.string if isinstance(found.string, tuple | list) else (found.string,)
        ):
            fuzzy += 1
    return Counts(total, translated, fuzzy)


# -- checks ---------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of ``text``."""
    return set(PLACEHOLDER.findall(text))


def problems(catalog: Catalog, language: RegisteredLanguage, path: Path) -> Iterator[str]:
    """Every translation that would break the bot, as ``file:line: what (expected)``.

    Placeholders must match the English; texts must fit Telegram (a message at most
    :data:`MESSAGE_MAX` characters, a button label one line of at most :data:`LABEL_MAX`);
    plural entries need as many forms as the language has (Babel's rule).
    """
    forms_needed, _ = plural_rule(language.locale)
    for message in catalog:
        if not message.id or not is_translated(message):
            continue
        where = f"{path}:{message.lineno}"
        if isinstance(message.id, str) != isinstance(message.string, str):
            yield f"{where}: msgstr does not match msgid (expected msgstr[N] only with msgid_plural)"
            continue
        if isinstance(message.id, str) and isinstance(message.string, str):
            yield from _placeholder_problems(where, placeholders(message.id), [message.string])
            yield from _limit_problems(where, message, [message.string])
            continue
        forms = [str(form) for form in message.string or ()]
        if len(forms) != forms_needed:
            yield (
                f"{where}: {len(forms)} plural forms (expected {forms_needed} for "
                f"{language.code}, as Babel's plural rule for {language.locale} has)"
            )
        english = placeholders(message.id[0]) | placeholders(message.id[1])
        yield from _placeholder_problems(where, english, forms, optional={COUNT})
        yield from _limit_problems(where, message, forms)


def _placeholder_problems(
    where: str,
    english: set[str],
    texts: list[str],
    optional: frozenset[str] | set[str] = frozenset(),
) -> Iterator[str]:
    for text in texts:
        found = placeholders(text)
        if found - english or (english - set(optional)) - found:
            yield (
                f"{where}: placeholders {_names(found)} in the translation differ from the "
                f"English (expected {_names(english)}, written exactly as in the English)"
            )


def _names(names: set[str]) -> str:
    return ", ".join("{" + name + "}" for name in sorted(names)) or "none"


def _limit_problems(where: str, message: Message, texts: list[str]) -> Iterator[str]:
    is_label = any(LABEL_MARK in comment for comment in message.auto_comments)
    for text in texts:
        if len(text) > MESSAGE_MAX:
            yield (
                f"{where}: translation is {len(text)} characters, over Telegram's limit "
                f"(expected at most {MESSAGE_MAX})"
            )
        if is_label and ("\n" in text or len(text) > LABEL_MAX):
            yield (
                f"{where}: button label translation is {len(text)} characters"
                f"{' on several lines' if chr(10) in text else ''} (expected one line of at "
                f"most {LABEL_MAX})"
            )


# -- compile --------------------------------------------------------------------------------


def compiled(catalog: Catalog) -> bytes:
    """The catalog as a binary ``.mo`` file, without fuzzy entries."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()
