"""How a content field appears in YAML: its kind, whether it is required, its description.

:mod:`bot.content.model` declares every YAML-backed field with :func:`spec`; the loader,
the JSON Schema export and the translation extractor read them back with
:func:`field_specs`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

#: Kinds of YAML values. ``text`` and ``label`` are shown to users and translated.
Kind = Literal[
    "slug",
    "text",
    "label",
    "string",
    "date",
    "confidence",
    "phone",
    "url",
    "email",
    "country",
    "language",
    "bool",
    "int",
    "condition",
    "assignments",
    "statement",
    "choice",
    "object",
]

TRANSLATABLE_KINDS = frozenset({"text", "label"})


@dataclass(frozen=True)
class FieldSpec:
    """How one dataclass field appears in YAML."""

    kind: Kind
    doc: str
    required: bool
    choices: tuple[str, ...] = ()
    #: For lists: how many items at least.
    min_items: int = 0

    @property
    def translatable(self) -> bool:
        """Whether users see this field's text (so it goes through the catalogs)."""
        return self.kind in TRANSLATABLE_KINDS or self.kind == "statement"


def spec(
    kind: Kind,
    doc: str,
    *,
    required: bool = True,
    default: Any = dataclasses.MISSING,
    choices: tuple[str, ...] = (),
    min_items: int = 0,
) -> Any:
    """Declare a YAML-backed dataclass field (see :class:`FieldSpec`)."""
    meta = {"content": FieldSpec(kind, doc, required, choices, min_items)}
    if default is dataclasses.MISSING and not required:
        raise ValueError("optional content fields need a default")
    if isinstance(default, tuple | dict):
        value = default
        return field(default_factory=lambda: value, metadata=meta)
    return field(default=default, metadata=meta)


def field_specs(cls: type[Any]) -> Iterator[tuple[str, FieldSpec]]:
    """Yield ``(name, spec)`` for every YAML-backed field of a content dataclass."""
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("content")
        if meta is not None:
            yield f.name, meta
