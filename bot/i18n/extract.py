"""A Babel extractor for the content YAML, driven by the content model's field specs.

Babel calls :func:`extract_content` for every file that ``babel.cfg`` maps to it. It walks
the YAML with the same table of fields the loader uses (:func:`bot.content.fields.field_specs`):
every field whose spec is :attr:`~bot.content.fields.FieldSpec.translatable` (``text``,
``label``, and the text of a ``statement``, written as a plain string or as a mapping with its
own sources) becomes a message, stripped exactly as the loader strips it before the engine
asks for its translation. So adding a translatable field to the model is the whole change.

Each message carries extracted comments for translators:

- where it is: ``flow main / node menu / option rights / label``;
- :data:`LABEL_COMMENT` for button labels and titles (the limit checks find them by it);
- a hint for fields that need one (``keywords``);
- the ``translator_note`` of the item the field belongs to.

A node's ``context:`` becomes the gettext context (msgctxt) of every string of that node, its
options included; the engine asks for them with the same context.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from bot.content.fields import field_specs
from bot.content.limits import LABEL_MAX
from bot.content.model import FILE_KINDS, Located, Statement
from bot.content.yamlsrc import LocatedDict, LocatedList, YamlSyntaxError, parse_yaml

#: Extracted comment on every message shown as a button label or title (one short line).
LABEL_COMMENT = f"button label: one line, at most {LABEL_MAX} characters"

#: Extra hints for translators, by field name.
FIELD_HINTS = {
    "name": (
        "a name: keep proper names as their owners write them (transliterate only if your "
        "script needs it); translate descriptive words such as 'Red Cross' or 'Centre for'"
    ),
    "cities": "a city: use the name your language uses for it (Vienna: Wien, Vienne...)",
    "keywords": (
        "comma-separated words a user may type to reach this topic: translate them, add "
        "common variants and spellings in your language, keep the commas"
    ),
}

#: Prefix of the extracted comment that carries a ``translator_note``.
NOTE_PREFIX = "Translator note: "

#: What the extractor yields: (line, function name, message or (context, message), comments).
Extracted = tuple[int, str, str | tuple[str, str], list[str]]


class ExtractionError(ValueError):
    """A content file that cannot be read, with its file and line."""


def extract_content(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method for content YAML (see the module docstring).

    Messages with a context are yielded as ``pgettext`` calls ``(context, message)``, the
    others as plain messages; ``keywords`` must therefore include ``pgettext`` (Babel's
    defaults do). Raises :class:`ExtractionError` for a file that is not valid YAML.
    """
    name = str(getattr(fileobj, "name", "<content>"))
    encoding = str(options.get("encoding", "utf-8"))
    try:
        raw = parse_yaml(fileobj.read().decode(encoding))
    except YamlSyntaxError as exc:
        raise ExtractionError(f"{name}:{exc.line}: {exc.message}") from exc
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{name}:1: not {encoding} text ({exc.reason})") from exc
    if not isinstance(raw, LocatedDict):
        return
    for key, cls in FILE_KINDS.items():
        if key in raw:
            yield from _walk(cls, raw, [], "")
            return


def _walk(cls: type[Any], raw: LocatedDict, path: list[str], context: str) -> Iterator[Extracted]:
    """Yield the messages of one YAML mapping read as ``cls``, then those of its children."""
    specs = dict(field_specs(cls))
    own_context = raw.get("context") if "context" in specs else None
    if isinstance(own_context, str) and own_context.strip():
        context = own_context.strip()
    note = raw.get("translator_note") if "translator_note" in specs else None
    hints = typing.get_type_hints(cls)
    for field_name, spec in specs.items():
        value = raw.get(field_name)
        if value is None:
            continue
        line = raw.key_lines.get(field_name, raw.line)
        where = " / ".join([*path, field_name])
        if spec.kind == "statement":
            if isinstance(value, LocatedDict):
                line = value.key_lines.get("text", value.line)
                value = value.get("text")
            if isinstance(value, str):
                yield from _message(value, line, context, [where], note)
        elif spec.translatable:
            comments = [where]
            if spec.kind == "label":
                comments.append(LABEL_COMMENT)
            if field_name in FIELD_HINTS:
                comments.append(FIELD_HINTS[field_name])
            if isinstance(value, str):
                yield from _message(value, line, context, comments, note)
            elif isinstance(value, LocatedList):  # a list of texts, such as cities
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        item_line = (
                            value.item_lines[index] if index < len(value.item_lines) else line
                        )
                        yield from _message(item, item_line, context, comments, note)
        elif spec.kind == "object":
            child = _item_class(hints[field_name])
            if child is None:
                continue
            if isinstance(value, LocatedList):
                for item in value:
                    if isinstance(item, LocatedDict):
                        label = f"{_singular(field_name)} {item.get('id', '?')}"
                        yield from _walk(child, item, [*path, label], context)
            elif isinstance(value, LocatedDict):
                label = f"{field_name} {value.get('id', '?')}"
                yield from _walk(child, value, [*path, label], context)


def _message(
    value: str, line: int, context: str, comments: list[str], note: object
) -> Iterator[Extracted]:
    text = value.strip()
    if not text:
        return
    if isinstance(note, str) and note.strip():
        comments = [*comments, NOTE_PREFIX + " ".join(note.split())]
    if context:
        yield line, "pgettext", (context, text), comments
    else:
        yield line, "", text, comments


def _item_class(hint: Any) -> type[Located] | None:
    """The dataclass of an ``object`` field: ``Flow``, ``tuple[Node, ...]``, ``X | None``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is tuple:
        hint = typing.get_args(hint)[0]
    if isinstance(hint, type) and issubclass(hint, Located) and hint is not Statement:
        return hint
    return None


def _singular(field_name: str) -> str:
    """``node`` for ``nodes``: how one item of a list is named in the node path."""
    return field_name[:-1] if field_name.endswith("s") else field_name
