"""Content loading and checking, driven by the fixture trees in ``tests/fixtures``.

- ``valid/`` loads with no errors and no warnings;
- each ``broken/<rule>/`` case, laid over ``valid/``, fails with the exact ``file:line: message``
  in its ``expected.txt``;
- each ``warnings/<rule>/`` case loads and the checker warns with the line in ``expected.txt``;
- the JSON Schemas from :mod:`bot.content.schema` accept the valid and shipped files and reject
  the broken cases that are a matter of shape rather than cross-references.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.content import Content, ContentError, load_content, read_content
from bot.content import model as content_model
from bot.content.fields import field_specs
from bot.content.limits import LABEL_MAX, MESSAGE_MAX, OPTIONS_MAX, SLUG_MAX
from bot.content.loader import COUNTRY_RE, SLUG_RE, content_files
from bot.content.model import FILE_KINDS, Statement
from bot.content.problems import Problem
from bot.content.schema import all_schemas, json_schema
from bot.content.validate import validate
from bot.content.yamlsrc import load_yaml

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
WARNINGS = FIXTURES / "warnings"
SHIPPED = Path(__file__).parent.parent / "content"
EXPECTED = "expected.txt"

#: The fixtures' review dates are 2025-02-15 .. 2025-04-01: all recent, none in the future.
TODAY = dt.date(2025, 6, 1)

#: Every broken case, spelled out so that deleting a case directory fails a test.
BROKEN_CASES = {
    # The rules of the brief.
    "yaml_syntax",
    "duplicate_key",
    "duplicate_id",
    "unknown_next_node",
    "unknown_fact",
    "unknown_fact_value",
    "unknown_country",
    "unknown_organisation",
    "missing_required_field",
    "wrong_type",
    "unknown_field",
    "invalid_slug",
    "invalid_phone",
    "phone_number_unquoted",
    "text_too_long",
    "label_too_long",
    "too_many_options",
    "empty_sources",
    "future_review_date",
    "bad_schema_version",
    "bad_date",
    "bad_confidence",
    "question_without_options",
    "result_with_options",
    # More rules of the loader and the checker.
    "invalid_country_code",
    "invalid_email",
    "invalid_url",
    "invalid_language",
    "invalid_choice",
    "invalid_node_type",
    "enum_without_values",
    "values_on_non_enum",
    "duplicate_organisation",
    "unknown_start_node",
    "no_emergency_numbers",
    "empty_text",
    "multiline_label",
    "condition_value_type",
    "assignment_list_value",
    "pathway_too_long",
    "statement_without_text",
    "zz_national_number",
    "not_a_mapping",
    "string_for_list_of_objects",
    "conditional_node_without_next",
    "question_with_next",
}

WARNING_CASES = {
    "unreachable_node",
    "stale_review",
    "low_confidence",
    "unverified_statement",
    "dead_end",
    "unused_fact",
    "all_options_conditional",
    "long_text",
    "pathway_without_organisation",
}

#: Broken cases that are about the shape of one file, so the JSON Schema rejects them too.
#: The rest are cross-references, per-country phone rules, dates relative to today or YAML
#: that does not parse, which only the checker can see.
SCHEMA_REJECTS = {
    "missing_required_field",
    "wrong_type",
    "unknown_field",
    "invalid_slug",
    "phone_number_unquoted",
    "text_too_long",
    "label_too_long",
    "too_many_options",
    "empty_sources",
    "bad_schema_version",
    "bad_date",
    "bad_confidence",
    "invalid_country_code",
    "invalid_email",
    "invalid_url",
    "invalid_language",
    "invalid_choice",
    "invalid_node_type",
    "no_emergency_numbers",
    "empty_text",
    "multiline_label",
    "condition_value_type",
    "assignment_list_value",
    "statement_without_text",
    "not_a_mapping",
    "string_for_list_of_objects",
}


def _case_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir())


def _overlay_files(case: Path) -> list[Path]:
    """The case's content files, relative to the case directory."""
    return sorted(
        p.relative_to(case) for p in case.rglob("*") if p.is_file() and p.name != EXPECTED
    )


def _tree(tmp_path: Path, case: Path) -> Path:
    """A copy of ``valid/`` with the case's files laid over it."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    for rel in _overlay_files(case):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case / rel, target)
    return root


def _expected(case: Path) -> list[str]:
    lines = (case / EXPECTED).read_text(encoding="utf-8").splitlines()
    expected = [line for line in lines if line.strip()]
    assert expected, f"{case / EXPECTED} is empty"
    return expected


def _check(root: Path, today: dt.date = TODAY) -> tuple[Content, list[Problem]]:
    """Read and check a tree that has no hard errors: the content and every warning."""
    content, problems = read_content(root)
    assert content is not None, [str(p) for p in problems]
    problems += validate(content, today=today)
    return content, problems


# --- broken cases -------------------------------------------------------------------------


def test_broken_cases_are_all_there() -> None:
    assert set(_case_names(BROKEN)) == BROKEN_CASES


@pytest.mark.parametrize("name", _case_names(BROKEN))
def test_broken_case_is_reported_with_file_and_line(name: str, tmp_path: Path) -> None:
    case = BROKEN / name
    assert _overlay_files(case), f"case {name} changes no file"
    for rel in _overlay_files(case):
        assert (VALID / rel).is_file(), f"{name}/{rel} has no counterpart in valid/"
    root = _tree(tmp_path, case)
    with pytest.raises(ContentError) as raised:
        load_content(root, today=TODAY)
    reported = [str(p) for p in raised.value.problems]
    for line in _expected(case):
        assert line in reported, "\n".join(["expected:", line, "reported:", *reported])
    assert all(p.severity == "error" for p in raised.value.problems)
    assert str(raised.value) == "\n".join(reported)


def test_problems_sort_by_file_and_line() -> None:
    a = Problem(content_model.Location("b.yaml", 1), "x")
    b = Problem(content_model.Location("a.yaml", 9), "y")
    c = Problem(content_model.Location("a.yaml", 10), "x")
    assert sorted([a, b, c]) == [b, c, a]


# --- the valid tree -----------------------------------------------------------------------


def test_valid_tree_loads_with_no_errors_and_no_warnings() -> None:
    content = load_content(VALID, today=TODAY)
    assert [f.id for f in content.flows] == ["main"]
    assert [c.id for c in content.countries] == ["RS", "ZZ"]
    _, problems = _check(VALID)
    assert [str(p) for p in problems] == []


def test_valid_tree_uses_every_feature() -> None:
    """The valid tree stays complete: each feature of the format appears at least once."""
    content = load_content(VALID, today=TODAY)
    assert {f.type for f in content.facts} == {"bool", "enum", "country"}
    nodes = content.main.nodes
    assert {n.type for n in nodes} == {"question", "info", "result"}
    assert {block for n in nodes for block in n.show} == {"emergency", "organisations"}
    options = [o for n in nodes for o in n.options]
    assert any(o.set for o in options)
    assert any(o.when for o in options)
    assert any(len(c.values) > 1 for o in options for c in o.when) or any(
        len(o.when) > 1 for o in options
    )
    assert any(n.type == "info" and n.next for n in nodes)
    assert any(n.type == "info" and n.options for n in nodes)
    assert any(n.topic and n.keywords for n in nodes)
    rs = content.country("RS")
    assert rs is not None
    recovery = rs.pathways[0]
    assert recovery.when and recovery.organisations and recovery.caution is not None
    # A statement with its own provenance, one with partial (inheriting the rest), one plain.
    assert recovery.legal_basis.reviewed == dt.date(2025, 2, 15)
    assert recovery.legal_basis.sources != recovery.sources
    assert recovery.caution.sources == recovery.sources
    assert recovery.summary.confidence == recovery.confidence == "medium"
    org = rs.organisations[0]
    assert org.phones and org.email and org.website and org.languages and org.services
    assert rs.emergency[1].sources == ("https://example.org/test-fixture/rs-emergency",)
    assert rs.emergency[1].reviewed == dt.date(2025, 3, 1)  # quoted date in YAML
    zz = content.country("ZZ")
    assert zz is not None and zz.pathways and zz.organisations
    assert zz.organisations[0].languages == ("en",)  # a single value for a list


# --- warnings -----------------------------------------------------------------------------


def test_warning_cases_are_all_there() -> None:
    assert set(_case_names(WARNINGS)) == WARNING_CASES


@pytest.mark.parametrize("name", _case_names(WARNINGS))
def test_warning_case_is_reported_with_file_and_line(name: str, tmp_path: Path) -> None:
    case = WARNINGS / name
    root = _tree(tmp_path, case)
    load_content(root, today=TODAY)  # warnings never stop loading
    _, problems = _check(root)
    assert all(p.severity == "warning" for p in problems)
    reported = [str(p) for p in problems]
    for line in _expected(case):
        assert line in reported, "\n".join(["expected:", line, "reported:", *reported])


def test_stale_after_twelve_months_counted_from_today() -> None:
    # The oldest review in the valid tree is the RS legal basis, reviewed 2025-02-15.
    _, problems = _check(VALID, today=dt.date(2026, 2, 15))
    assert [p for p in problems if p.code == "stale"] == []
    _, problems = _check(VALID, today=dt.date(2026, 2, 16))
    stale = [str(p) for p in problems if p.code == "stale"]
    assert stale == [
        "countries/rs.yaml:34: warning: RS pathway rs_recovery.legal_basis: facts reviewed "
        "2025-02-15, more than 12 months ago; re-check the sources"
    ]


def test_future_review_counted_from_today() -> None:
    with pytest.raises(ContentError) as raised:
        load_content(VALID, today=dt.date(2025, 3, 31))
    assert [str(p) for p in raised.value.problems] == [
        "countries/rs.yaml:49: RS pathway rs_protection: review date 2025-04-01 is in the "
        "future (expected a date no later than 2025-03-31)"
    ]


# --- JSON Schema --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """YAML data as JSON would hold it: plain dicts and lists, dates as ISO text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _files_by_kind(root: Path) -> list[tuple[str, Path]]:
    return [(kind, path) for kind, paths in content_files(root).items() for path in paths]


def _schema_errors(kind: str, path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        json_schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    data = _plain(load_yaml(path))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def test_schemas_are_valid_draft_2020_12() -> None:
    schemas = all_schemas()
    assert set(schemas) == set(FILE_KINDS)
    for schema in schemas.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_follows_the_field_specs() -> None:
    """Every definition has exactly the spec'd fields, their docs and their required flags."""
    for kind, cls in FILE_KINDS.items():
        schema = json_schema(kind)
        defs = {cls.__name__: schema, **schema.get("$defs", {})}
        for name, definition in defs.items():
            klass = getattr(content_model, name)
            specs = dict(field_specs(klass))
            assert set(definition["properties"]) == set(specs), name
            assert definition["additionalProperties"] is False
            for field, fspec in specs.items():
                assert definition["properties"][field]["description"] == fspec.doc
            required = {f for f, s in specs.items() if s.required}
            if klass is Statement:  # inherits its provenance from the pathway
                required = {"text"}
            assert set(definition["required"]) == required, name


def test_schema_constraints() -> None:
    flow = json_schema("flow")
    node = flow["$defs"]["Node"]["properties"]
    option = flow["$defs"]["Option"]["properties"]
    assert node["id"]["pattern"] == SLUG_RE.pattern
    assert node["id"]["maxLength"] == SLUG_MAX
    assert node["text"]["maxLength"] == MESSAGE_MAX
    assert option["label"]["maxLength"] == LABEL_MAX
    assert node["type"]["enum"] == ["question", "info", "result"]
    assert node["options"]["anyOf"][0]["maxItems"] == OPTIONS_MAX
    assert flow["properties"]["schema_version"]["const"] == 1
    country = json_schema("country")
    defs = country["$defs"]
    assert defs["Country"]["properties"]["id"]["pattern"] == COUNTRY_RE.pattern
    assert defs["Country"]["properties"]["emergency"]["minItems"] == 1
    pathway = defs["Pathway"]["properties"]
    assert pathway["reviewed"] == {
        "description": pathway["reviewed"]["description"],
        "type": "string",
        "format": "date",
    }
    assert pathway["confidence"]["enum"] == ["high", "medium", "low", "unverified"]
    assert [s.get("type", s.get("$ref")) for s in pathway["summary"]["oneOf"]] == [
        "string",
        "#/$defs/Statement",
    ]


@pytest.mark.parametrize(
    ("kind", "path"),
    _files_by_kind(VALID),
    ids=lambda v: v.relative_to(VALID).as_posix() if isinstance(v, Path) else v,
)
def test_schema_accepts_the_valid_tree(kind: str, path: Path) -> None:
    assert _schema_errors(kind, path) == []


def _shipped_files() -> list[tuple[str, Path]]:
    if not SHIPPED.is_dir():
        return []
    return [(kind, path) for kind, path in _files_by_kind(SHIPPED) if path.is_file()]


@pytest.mark.skipif(not _shipped_files(), reason="no shipped content files yet")
@pytest.mark.parametrize(
    ("kind", "path"),
    _shipped_files(),
    ids=lambda v: v.relative_to(SHIPPED).as_posix() if isinstance(v, Path) else v,
)
def test_schema_accepts_the_shipped_content(kind: str, path: Path) -> None:
    assert _schema_errors(kind, path) == []


@pytest.mark.parametrize("name", sorted(SCHEMA_REJECTS))
def test_schema_rejects_a_broken_file(name: str) -> None:
    assert name in BROKEN_CASES
    case = BROKEN / name
    kinds = {path.relative_to(VALID): kind for kind, path in _files_by_kind(VALID)}
    errors = [e for rel in _overlay_files(case) for e in _schema_errors(kinds[rel], case / rel)]
    assert errors, f"the schema accepts broken case {name}"


def test_schema_leaves_cross_references_to_the_checker() -> None:
    """The schema judges one file's shape: a next node that does not exist is not its business."""
    case = BROKEN / "unknown_next_node"
    assert _schema_errors("flow", case / "flows" / "main.yaml") == []


def test_unknown_kind() -> None:
    with pytest.raises(KeyError):
        json_schema("organisation")


def test_statement_schema_is_reused() -> None:
    defs = json_schema("country")["$defs"]
    assert set(defs) == {
        "Country",
        "Organisation",
        "Pathway",
        "PhoneLine",
        "Statement",
    }
