"""Read YAML while remembering the line of every mapping key and list item.

Content editors need errors as ``file:line: what is wrong``. PyYAML's safe loader forgets
positions once it builds Python objects, so this loader builds dict and list subclasses
that keep the line of each key and item (1-based, as editors count).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class LocatedDict(dict[str, Any]):
    """A mapping from YAML that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    """A sequence from YAML that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


class YamlSyntaxError(Exception):
    """A file that is not valid YAML, with the line where the parser gave up."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _LocatingLoader(yaml.SafeLoader):
    """Safe loader that records positions; never constructs arbitrary objects."""


# libyaml's parser (when PyYAML was built with it) reads the content about eight times faster
# and gives the same nodes, with the same lines. It words syntax errors differently, so a file
# it rejects is read again by the Python parser, whose message and line the checker reports.
_CSafeLoader: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_FastLocatingLoader: type[yaml.SafeLoader] | None = (
    type("_FastLocatingLoader", (_CSafeLoader,), {"__doc__": _LocatingLoader.__doc__})
    if _CSafeLoader is not None
    else None
)
_LOADERS = [_LocatingLoader] + ([_FastLocatingLoader] if _FastLocatingLoader else [])

# YAML 1.1 reads `yes`, `no`, `on` and `off` as booleans, so an option id `no` or a country
# code `NO` silently becomes `False`. Like YAML 1.2, only `true` and `false` are booleans here.
for _loader in _LOADERS:
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )


def _construct_mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            # Keys such as `yes:` or `12:` become bool/int in YAML; keep them as text so the
            # validator can report them as unknown fields instead of crashing.
            key = str(key)
        if key in result:
            raise YamlSyntaxError(
                key_node.start_mark.line + 1, f"duplicate key {key!r} (each key once per mapping)"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LocatingLoader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _LocatingLoader, node: yaml.ScalarNode) -> Any:
    # `2024-13-45` looks like a date to YAML, and PyYAML raises a bare ValueError (no line)
    # for it. Keep such a scalar as text so the loader reports it with its file and line.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


for _loader in _LOADERS:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file into located dicts and lists.

    Raises :class:`YamlSyntaxError` with the line of the problem for malformed YAML.
    """
    return parse_yaml(path.read_text(encoding="utf-8"))


def parse_yaml(text: str) -> Any:
    """Parse YAML text into located dicts and lists (see :func:`load_yaml`)."""
    if _FastLocatingLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLocatingLoader)
        except YamlSyntaxError:
            raise
        except yaml.YAMLError:
            pass  # reported below, in the Python parser's words
    try:
        return yaml.load(text, Loader=_LocatingLoader)
    except YamlSyntaxError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(line, f"YAML syntax error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax error: {exc}") from exc
