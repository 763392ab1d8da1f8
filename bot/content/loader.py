"""Load content YAML into the frozen model, collecting every error with its file and line.

Reading is driven by the field specs of :mod:`bot.content.model`; cross-references (next
nodes, facts, organisations, phone numbers) are checked afterwards by
:mod:`bot.content.validate`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.content import limits
from bot.content.fields import FieldSpec, field_specs
from bot.content.model import (
    CONFIDENCE_LEVELS,
    SCHEMA_VERSION,
    Clause,
    Content,
    Country,
    CountryFile,
    FactsFile,
    Flow,
    FlowFile,
    Located,
    Location,
    Statement,
)
from bot.content.problems import ContentError, Problem
from bot.content.yamlsrc import LocatedDict, LocatedList, YamlSyntaxError, load_yaml

T = TypeVar("T", bound=Located)

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s]+$")


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value[:30]!r}"
    return f"{type(value).__name__} {value!r}"


class Reader:
    """Reads one YAML file's located data into model dataclasses, collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        """Record a hard error at ``line`` of this file."""
        self.problems.append(Problem(Location(self.file, line), message))

    def read(
        self, cls: type[T], raw: Any, line: int, *, inherited: Statement | None = None
    ) -> T | None:
        """Read a mapping into ``cls``; ``None`` when a required field is missing or invalid."""
        if cls is Statement and isinstance(raw, str):
            return self._statement_from_text(raw, line, inherited)  # type: ignore[return-value]
        if not isinstance(raw, LocatedDict):
            self.error(
                line, f"expected a mapping with fields {_field_list(cls)}, found {_type_name(raw)}"
            )
            return None
        specs = dict(field_specs(cls))
        for key in raw:
            if key not in specs:
                close = difflib.get_close_matches(key, list(specs), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"expected one of {_field_list(cls)}"
                )
                self.error(raw.key_lines[key], f"unknown field {key!r} ({hint})")
        values: dict[str, Any] = {}
        complete = True
        hints = typing.get_type_hints(cls)
        for name, fspec in specs.items():
            if name not in raw or raw[name] is None:
                if fspec.required and not (
                    cls is Statement and inherited is not None and name != "text"
                ):
                    self.error(raw.line, f"missing required field {name!r} ({fspec.doc})")
                    complete = False
                continue
            value = self._value(
                hints[name],
                fspec,
                raw[name],
                raw.key_lines[name],
                inherited_for(cls, values, inherited),
            )
            if value is _INVALID:
                complete = complete and not fspec.required
                continue
            values[name] = value
        if cls is Statement and inherited is not None:
            for name in ("sources", "reviewed", "confidence"):
                values.setdefault(name, getattr(inherited, name))
        if not complete:
            return None
        return cls(
            where=Location(self.file, raw.line),
            field_lines=dict(raw.key_lines),
            **values,
        )

    def _statement_from_text(
        self, text: str, line: int, inherited: Statement | None
    ) -> Statement | None:
        checked = self._text(text, line, "text")
        if checked is _INVALID or inherited is None:
            return None
        return Statement(
            text=checked,
            sources=inherited.sources,
            reviewed=inherited.reviewed,
            confidence=inherited.confidence,
            where=Location(self.file, line),
            field_lines={"text": line},
        )

    def _value(
        self, hint: Any, fspec: FieldSpec, raw: Any, line: int, inherited: Statement | None
    ) -> Any:
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            # Optional fields: `X | None`.
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
            origin = typing.get_origin(hint)
        if fspec.kind in ("condition", "assignments"):
            return self._facts_mapping(raw, line, fspec.kind)
        if origin is tuple:
            item_hint = typing.get_args(hint)[0]
            if not isinstance(raw, LocatedList):
                if isinstance(raw, str) and fspec.kind not in ("object",):
                    raw = _single(raw, line)
                else:
                    self.error(line, f"expected a list, found {_type_name(raw)}")
                    return _INVALID
            items = []
            for item, item_line in zip(raw, raw.item_lines, strict=True):
                value = self._value(item_hint, fspec, item, item_line, inherited)
                if value is not _INVALID and value is not None:
                    items.append(value)
            if len(items) < fspec.min_items and len(raw) < fspec.min_items:
                self.error(line, f"expected at least {fspec.min_items} item(s): {fspec.doc}")
                return _INVALID
            return tuple(items)
        if isinstance(hint, type) and issubclass(hint, Located):
            result = self.read(hint, raw, line, inherited=inherited)
            return _INVALID if result is None else result
        return self._scalar(fspec, raw, line)

    def _scalar(self, fspec: FieldSpec, raw: Any, line: int) -> Any:
        kind = fspec.kind
        if kind == "bool":
            if not isinstance(raw, bool):
                self.error(line, f"expected true or false, found {_type_name(raw)}")
                return _INVALID
            return raw
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int):
                self.error(line, f"expected a whole number, found {_type_name(raw)}")
                return _INVALID
            return raw
        if kind == "date":
            if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
                return raw
            if isinstance(raw, str):
                try:
                    return dt.date.fromisoformat(raw)
                except ValueError:
                    pass
            self.error(line, f"expected a date as YYYY-MM-DD, found {_type_name(raw)}")
            return _INVALID
        if not isinstance(raw, str):
            if (
                kind in ("phone", "string")
                and isinstance(raw, int | float)
                and not isinstance(raw, bool)
            ):
                # YAML has already turned +381... into 381... and 0117 into 79: don't echo it.
                self.error(line, "expected text, found a number: put it in quotes")
            else:
                self.error(line, f"expected text, found {_type_name(raw)}")
            return _INVALID
        checks: dict[str, Callable[[str, int], Any]] = {
            "slug": self._slug,
            "text": lambda v, ln: self._text(v, ln, "text"),
            "label": self._label,
            "country": lambda v, ln: self._pattern(
                v, ln, COUNTRY_RE, "a two-letter country code such as RS"
            ),
            "language": lambda v, ln: self._pattern(
                v, ln, LANGUAGE_RE, "a language code such as en, ar or zh_Hans"
            ),
            "email": lambda v, ln: self._pattern(v, ln, EMAIL_RE, "an e-mail address"),
            "url": lambda v, ln: self._pattern(
                v, ln, URL_RE, "a URL starting with https:// or http://"
            ),
            "confidence": lambda v, ln: self._one_of(v, ln, CONFIDENCE_LEVELS),
            "choice": lambda v, ln: self._one_of(v, ln, fspec.choices),
        }
        check = checks.get(kind)
        if check is None:
            return raw.strip() if kind == "phone" else raw
        return check(raw, line)

    def _slug(self, value: str, line: int) -> Any:
        if not SLUG_RE.fullmatch(value) or len(value) > limits.SLUG_MAX:
            self.error(
                line,
                f"invalid id {value!r} (expected lower-case letters, digits and _, starting with a "
                f"letter, at most {limits.SLUG_MAX} characters)",
            )
            return _INVALID
        return value

    def _text(self, value: str, line: int, what: str) -> Any:
        value = value.strip()
        if not value:
            self.error(line, f"empty {what} (expected some text)")
            return _INVALID
        if len(value) > limits.MESSAGE_MAX:
            self.error(
                line,
                f"{what} is {len(value)} characters, over Telegram's limit "
                f"(expected at most {limits.MESSAGE_MAX})",
            )
            return _INVALID
        return value

    def _label(self, value: str, line: int) -> Any:
        value = value.strip()
        if "\n" in value or not value:
            self.error(line, "a button label must be one non-empty line (expected short text)")
            return _INVALID
        if len(value) > limits.LABEL_MAX:
            self.error(
                line,
                f"button label is {len(value)} characters, too long "
                f"(expected at most {limits.LABEL_MAX})",
            )
            return _INVALID
        return value

    def _pattern(self, value: str, line: int, pattern: re.Pattern[str], expected: str) -> Any:
        if not pattern.fullmatch(value):
            self.error(line, f"invalid value {value!r} (expected {expected})")
            return _INVALID
        return value

    def _one_of(self, value: str, line: int, allowed: tuple[str, ...]) -> Any:
        if value not in allowed:
            self.error(line, f"invalid value {value!r} (expected one of: {', '.join(allowed)})")
            return _INVALID
        return value

    def _facts_mapping(self, raw: Any, line: int, kind: str) -> Any:
        if not isinstance(raw, LocatedDict):
            self.error(line, f"expected a mapping of facts to values, found {_type_name(raw)}")
            return _INVALID
        result: list[Any] = []
        for fact, value in raw.items():
            key_line = raw.key_lines[fact]
            values = list(value) if isinstance(value, list) and kind == "condition" else [value]
            if not values or not all(isinstance(v, str | bool) for v in values):
                expected = "a value or a list of values" if kind == "condition" else "one value"
                self.error(
                    key_line,
                    f"invalid value for fact {fact!r} (expected {expected}: text or true/false)",
                )
                continue
            if kind == "condition":
                result.append(Clause(fact=fact, values=tuple(values)))
            else:
                result.append((fact, values[0]))
        return tuple(result)


def inherited_for(
    cls: type[Any], values: dict[str, Any], inherited: Statement | None
) -> Statement | None:
    """Provenance that a plain-string statement inside ``cls`` inherits."""
    if {"sources", "reviewed", "confidence"} <= values.keys():
        return Statement(
            text="-",
            sources=values["sources"],
            reviewed=values["reviewed"],
            confidence=values["confidence"],
        )
    return inherited


_INVALID: Any = object()


def _single(raw: str, line: int) -> LocatedList:
    items = LocatedList([raw])
    items.line = line
    items.item_lines = [line]
    return items


def _field_list(cls: type[Any]) -> str:
    return ", ".join(name for name, _ in field_specs(cls))


def _read_file(path: Path, root: Path, cls: type[T], problems: list[Problem]) -> T | None:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    reader = Reader(rel, problems)
    try:
        raw = load_yaml(path)
    except YamlSyntaxError as exc:
        reader.error(exc.line, exc.message)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reader.error(1, f"cannot read file: {exc}")
        return None
    if isinstance(raw, LocatedDict):
        version = raw.get("schema_version")
        if version is not None and version != SCHEMA_VERSION:
            reader.error(
                raw.key_lines["schema_version"],
                f"unsupported schema_version {version!r} (expected {SCHEMA_VERSION})",
            )
            return None
    return reader.read(cls, raw, 1)


def content_files(root: Path) -> dict[str, list[Path]]:
    """The YAML files of a content directory, by kind."""
    return {
        "facts": [root / "facts.yaml"],
        "flow": sorted((root / "flows").glob("*.yaml")),
        "country": sorted((root / "countries").glob("*.yaml")),
    }


def read_content(root: Path) -> tuple[Content | None, list[Problem]]:
    """Read every content file under ``root``: the content (if readable) and all problems.

    Cross-references are not checked here; see :func:`bot.content.validate.validate`.
    """
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(
            Problem(
                Location(str(root), 0),
                "content directory not found (expected a folder with facts.yaml, flows/ and countries/)",
            )
        )
        return None, problems
    files = content_files(root)
    facts_path = files["facts"][0]
    facts_file = None
    if facts_path.is_file():
        facts_file = _read_file(facts_path, root, FactsFile, problems)
    else:
        problems.append(
            Problem(
                Location("facts.yaml", 0),
                "missing file (expected facts.yaml declaring the facts answers can set)",
            )
        )
    flows: list[Flow] = []
    for path in files["flow"]:
        flow_file = _read_file(path, root, FlowFile, problems)
        if flow_file is not None:
            flows.append(flow_file.flow)
    if not files["flow"]:
        problems.append(
            Problem(Location("flows/", 0), "no flow files (expected at least flows/main.yaml)")
        )
    countries: list[Country] = []
    for path in files["country"]:
        country_file = _read_file(path, root, CountryFile, problems)
        if country_file is not None:
            countries.append(country_file.country)
    if facts_file is None or not flows:
        return None, problems
    content = Content(
        facts=facts_file.facts, flows=tuple(flows), countries=tuple(countries), root=str(root)
    )
    return content, problems


def load_content(root: Path | str, *, today: dt.date | None = None) -> Content:
    """Load and validate the content under ``root``.

    Raises :class:`ContentError` listing every hard error (``file:line: message``).
    Warnings are not raised; get them with :func:`read_content` and
    :func:`bot.content.validate.validate`.
    """
    from bot.content.validate import validate

    content, problems = read_content(Path(root))
    if content is not None:
        problems.extend(validate(content, today=today))
    errors = [p for p in problems if p.severity == "error"]
    if errors or content is None:
        raise ContentError(errors)
    return content
