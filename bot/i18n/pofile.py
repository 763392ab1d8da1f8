"""A small, fast reader for the translated entries of a gettext PO file.

The bot reads every catalog at start-up, straight from the ``.po`` files in the repository,
so a fresh clone needs no compile step. Babel's ``read_po`` keeps everything translators'
tools need (comments, locations, previous msgids) and takes about 20 ms for a catalog of a
few hundred messages; with thirteen languages that would dominate start-up. This reader
keeps only what the bot shows: the msgctxt, msgid and msgstr of entries that are translated
and not fuzzy (fuzzy entries are outdated and must never be shown). The maintenance commands
and the CI gate use Babel's reader; a test checks that both agree on every shipped catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The escapes PO files use (the same set Babel reads).
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"\\": "\\", "t": "\t", "r": "\r", "n": "\n", '"': '"'}
_MSGSTR_INDEX = re.compile(r"^msgstr\[(\d+)\]$")


class PoSyntaxError(ValueError):
    """A line the reader cannot understand; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class PoMessages:
    """The usable translations of one PO file."""

    #: ``(context, msgid) -> msgstr``; ``context`` is ``""`` when the entry has none.
    singular: dict[tuple[str, str], str] = field(default_factory=dict)
    #: ``(context, msgid) -> (msgstr[0], msgstr[1], ...)`` for plural entries.
    plural: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Entry:
    """The entry being read."""

    line: int = 0
    fuzzy: bool = False
    context: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    #: The field that continuation lines (``"..."``) add to.
    current: tuple[str, int] | None = None

    @property
    def started(self) -> bool:
        return self.msgid is not None or self.context is not None


def parse_po(text: str) -> PoMessages:
    """The translated, non-fuzzy entries of PO ``text``.

    Raises :class:`PoSyntaxError` for a line that is not valid PO syntax.
    """
    result = PoMessages()
    entry = _Entry()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            _finish(entry, result)
            entry = _Entry()
            continue
        if line[0] == "#":
            if entry.msgstr:
                # A comment after a complete entry starts the next one.
                _finish(entry, result)
                entry = _Entry()
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                entry.fuzzy = True
            # Other comments, previous msgids (#|) and obsolete entries (#~) are not shown.
            continue
        if line[0] == '"':
            if entry.current is None:
                raise PoSyntaxError(number, "a quoted string with no msgid or msgstr before it")
            _append(entry, _unquote(line, number))
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest.strip(), number)
        if keyword in ("msgctxt", "msgid") and entry.msgstr:
            _finish(entry, result)
            entry = _Entry()
        if keyword == "msgctxt":
            if entry.started:
                raise PoSyntaxError(number, "msgctxt must come before msgid")
            entry.line, entry.context, entry.current = number, value, ("msgctxt", 0)
        elif keyword == "msgid":
            if entry.msgid is not None:
                raise PoSyntaxError(number, "a second msgid with no msgstr between them")
            entry.line = entry.line or number
            entry.msgid, entry.current = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            if entry.msgid is None or entry.msgstr:
                raise PoSyntaxError(number, "msgid_plural must follow msgid")
            entry.msgid_plural, entry.current = value, ("msgid_plural", 0)
        else:
            index = _msgstr_index(keyword, entry, number)
            if index in entry.msgstr:
                raise PoSyntaxError(number, f"{keyword} given twice")
            entry.msgstr[index] = value
            entry.current = ("msgstr", index)
    _finish(entry, result)
    return result


def _msgstr_index(keyword: str, entry: _Entry, number: int) -> int:
    """0 for ``msgstr``, n for ``msgstr[n]``; checks that the entry expects it."""
    if entry.msgid is None:
        raise PoSyntaxError(number, f"{keyword} with no msgid before it")
    if keyword == "msgstr":
        if entry.msgid_plural is not None:
            raise PoSyntaxError(number, "a plural entry needs msgstr[0], msgstr[1], ...")
        return 0
    match = _MSGSTR_INDEX.match(keyword)
    if match is None:
        raise PoSyntaxError(number, f"unknown keyword {keyword!r} (expected msgid or msgstr)")
    if entry.msgid_plural is None:
        raise PoSyntaxError(number, f"{keyword} in an entry without msgid_plural")
    return int(match.group(1))


def _append(entry: _Entry, value: str) -> None:
    assert entry.current is not None
    name, index = entry.current
    if name == "msgctxt":
        entry.context = (entry.context or "") + value
    elif name == "msgid":
        entry.msgid = (entry.msgid or "") + value
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + value
    else:
        entry.msgstr[index] += value


def _finish(entry: _Entry, result: PoMessages) -> None:
    """Keep a complete entry if it is translated, not fuzzy and not the header."""
    if not entry.started:
        return
    if not entry.msgstr:
        raise PoSyntaxError(entry.line, "msgid with no msgstr")
    if entry.fuzzy or not entry.msgid:
        return
    key = (entry.context or "", entry.msgid)
    if entry.msgid_plural is None:
        if entry.msgstr[0]:
            result.singular[key] = entry.msgstr[0]
        return
    forms = tuple(entry.msgstr.get(i, "") for i in range(max(entry.msgstr) + 1))
    if all(forms):
        result.plural[key] = forms


def _unquote(value: str, number: int) -> str:
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        raise PoSyntaxError(number, f"expected a quoted string, found {value[:40]!r}")
    body = value[1:-1]
    if "\\" not in body:
        if '"' in body:
            raise PoSyntaxError(number, 'an unescaped " inside a string (write \\")')
        return body
    try:
        return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], body)
    except KeyError as exc:
        raise PoSyntaxError(number, f"unknown escape \\{exc.args[0]}") from exc
