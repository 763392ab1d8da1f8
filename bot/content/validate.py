"""Cross-reference checks (hard errors) and editorial warnings for loaded content.

Hard errors make content unusable (a button that leads nowhere, a fact nobody declared, a
number that cannot be dialled). Warnings point reviewers at what needs a human: unreachable
nodes, stale or low-confidence facts, long screens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.content import limits
from bot.content.model import (
    Clause,
    Content,
    Country,
    FactDef,
    FactValue,
    Flow,
    Located,
    Location,
    Pathway,
    PhoneLine,
    Sourced,
    Statement,
)
from bot.content.phones import ANY_COUNTRY, phone_problem
from bot.content.problems import Problem

#: Facts older than this are reported as stale.
STALE_AFTER = dt.timedelta(days=365)


def validate(content: Content, *, today: dt.date | None = None) -> list[Problem]:
    """Every problem in ``content``: errors and warnings, in no particular order."""
    problems: list[Problem] = []
    problems += _duplicates(content)
    problems += _facts(content)
    for flow in content.flows:
        problems += _flow(content, flow)
    for country in content.countries:
        problems += _country(content, country)
    problems += _provenance(content, today or dt.date.today())
    return problems


def _error(item: Located, field: str, message: str, code: str = "") -> Problem:
    return Problem(item.location_of(field), message, "error", code)


def _warning(where: Location, message: str, code: str) -> Problem:
    return Problem(where, message, "warning", code)


def _duplicates(content: Content) -> Iterator[Problem]:
    groups: list[tuple[str, Iterable[Located], str]] = [
        ("fact", content.facts, "id"),
        ("flow", content.flows, "id"),
        ("country", content.countries, "id"),
        ("pathway", (p for c in content.countries for p in c.pathways), "id"),
        ("organisation", (o for c in content.countries for o in c.organisations), "id"),
    ]
    for flow in content.flows:
        groups.append((f"node in flow {flow.id!r}", flow.nodes, "id"))
        for node in flow.nodes:
            groups.append((f"option in node {node.id!r}", node.options, "id"))
    for country in content.countries:
        lines = [*country.emergency, *(ph for o in country.organisations for ph in o.phones)]
        groups.append((f"phone line in {country.id}", lines, "id"))
    for what, items, attr in groups:
        seen: dict[str, Located] = {}
        for item in items:
            key = getattr(item, attr)
            if key in seen:
                first = seen[key].where
                yield _error(
                    item,
                    attr,
                    f"duplicate {what} id {key!r} (first defined at {first}; ids must be unique)",
                )
            else:
                seen[key] = item


def _facts(content: Content) -> Iterator[Problem]:
    for fact in content.facts:
        if fact.type == "enum" and not fact.values:
            yield _error(
                fact,
                "type",
                f"enum fact {fact.id!r} has no values (expected a list under 'values')",
            )
        if fact.type != "enum" and fact.values:
            yield _error(
                fact, "values", f"only enum facts take 'values' (fact {fact.id!r} is {fact.type})"
            )
    set_somewhere = {
        name
        for flow in content.flows
        for node in flow.nodes
        for opt in node.options
        for name, _ in opt.set
    }
    for fact in content.facts:
        if fact.id not in set_somewhere:
            yield _warning(fact.where, f"fact {fact.id!r} is never set by any option", "unused")


def _allowed_values(content: Content, fact: FactDef) -> tuple[FactValue, ...]:
    if fact.type == "bool":
        return (True, False)
    if fact.type == "country":
        return tuple(c.id for c in content.countries)
    return fact.values


def _check_value(
    content: Content, item: Located, field: str, fact_id: str, value: FactValue
) -> Iterator[Problem]:
    fact = content.fact(fact_id)
    if fact is None:
        known = ", ".join(f.id for f in content.facts)
        yield _error(
            item, field, f"unknown fact {fact_id!r} (expected one declared in facts.yaml: {known})"
        )
        return
    allowed = _allowed_values(content, fact)
    if value not in allowed or isinstance(value, bool) != (fact.type == "bool"):
        what = "country" if fact.type == "country" else "value"
        shown = ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in allowed)
        yield _error(
            item, field, f"unknown {what} {value!r} for fact {fact_id!r} (expected one of: {shown})"
        )


def _condition(
    content: Content, item: Located, field: str, clauses: tuple[Clause, ...]
) -> Iterator[Problem]:
    for clause in clauses:
        for value in clause.values:
            yield from _check_value(content, item, field, clause.fact, value)


def _flow(content: Content, flow: Flow) -> Iterator[Problem]:
    node_ids = {n.id for n in flow.nodes}

    def known(item: Located, field: str, target: str) -> Iterator[Problem]:
        if target not in node_ids:
            yield _error(
                item,
                field,
                f"unknown node {target!r} (expected the id of a node in flow {flow.id!r})",
            )

    yield from known(flow, "start", flow.start)
    yield from known(flow, "menu", flow.menu)
    for node in flow.nodes:
        if node.type == "question" and not node.options:
            yield _error(
                node,
                "type",
                f"question {node.id!r} has no options (expected a list under 'options')",
            )
        if node.type == "info" and not node.next and not node.options:
            yield _warning(
                node.where,
                f"dead end: info node {node.id!r} has no 'next' and no options; only Back and Menu lead on",
                "dead-end",
            )
        if node.type == "result" and (node.options or node.next):
            yield _error(
                node,
                "type",
                f"result node {node.id!r} takes no options or next (its buttons are computed)",
            )
        if node.next:
            yield from known(node, "next", node.next)
        yield from _condition(content, node, "when", node.when)
        if node.when and not node.next:
            yield _error(
                node,
                "when",
                f"node {node.id!r} has a condition but no 'next' (expected the node to go to when the condition does not hold)",
            )
        if node.type == "question" and node.next and not node.when:
            yield _error(
                node,
                "next",
                f"question {node.id!r} has 'next' but no 'when' (a question's buttons lead on; 'next' only says where to go when its condition does not hold)",
            )
        provenance = (bool(node.sources), node.reviewed is not None, bool(node.confidence))
        if any(provenance) and not all(provenance):
            yield _error(
                node,
                "sources",
                f"node {node.id!r} states facts but lacks sources, reviewed or confidence (expected all three)",
            )
        if len(node.options) > limits.OPTIONS_MAX:
            yield _error(
                node,
                "options",
                f"node {node.id!r} has {len(node.options)} options, too many for a phone (expected at most {limits.OPTIONS_MAX})",
            )
        if node.options and all(o.when for o in node.options):
            yield _warning(
                node.where,
                f"every option of {node.id!r} has a condition; some users may see none",
                "dead-end",
            )
        if len(node.text) > limits.MESSAGE_AIM:
            yield _warning(
                node.location_of("text"),
                f"text is {len(node.text)} characters (aim for at most {limits.MESSAGE_AIM} so it fits a phone screen)",
                "long",
            )
        for option in node.options:
            yield from known(option, "next", option.next)
            for fact_id, value in option.set:
                yield from _check_value(content, option, "set", fact_id, value)
            yield from _condition(content, option, "when", option.when)
    reachable = _reachable(flow)
    for unreachable in (n for n in flow.nodes if n.id not in reachable):
        yield _warning(
            unreachable.where,
            f"unreachable node {unreachable.id!r}: no option or next leads here",
            "unreachable",
        )


def _reachable(flow: Flow) -> set[str]:
    seen: set[str] = set()
    todo = [flow.start, flow.menu]
    while todo:
        node = flow.node(todo.pop())
        if node is None or node.id in seen:
            continue
        seen.add(node.id)
        todo += [o.next for o in node.options]
        if node.next:
            todo.append(node.next)
    return seen


def _phone_lines(country: Country) -> Iterator[PhoneLine]:
    yield from country.emergency
    for org in country.organisations:
        yield from org.phones


def _country(content: Content, country: Country) -> Iterator[Problem]:
    for line in _phone_lines(country):
        problem = phone_problem(line.phone, country.id)
        if problem is not None:
            yield _error(line, "phone", problem)
    for pathway in country.pathways:
        yield from _condition(content, pathway, "when", pathway.when)
        for org_id in pathway.organisations:
            if country.organisation(org_id) is None:
                known = ", ".join(o.id for o in country.organisations) or "none listed"
                yield _error(
                    pathway,
                    "organisations",
                    f"unknown organisation {org_id!r} (expected one of {country.id}'s: {known})",
                )
        if not pathway.organisations and country.id != ANY_COUNTRY:
            # "Another country" has no organisation that helps everywhere; elsewhere it is a gap.
            yield _warning(
                pathway.where, f"pathway {pathway.id!r} names no organisation that helps", "no-help"
            )
        total = _pathway_length(pathway)
        if total > limits.MESSAGE_MAX:
            yield _error(
                pathway,
                "id",
                f"pathway {pathway.id!r} is {total} characters in all, over Telegram's limit (expected at most {limits.MESSAGE_MAX})",
            )


def _pathway_length(pathway: Pathway) -> int:
    return len(pathway.title) + sum(len(s.text) + 40 for _, s in pathway.statements())


@dataclass(frozen=True)
class FactItem:
    """A fact-bearing item of the content, as reviewers see it."""

    label: str
    item: Located
    reviewed: dt.date
    confidence: str
    sources: tuple[str, ...]


def fact_items(content: Content) -> Iterator[FactItem]:
    """Every fact-bearing item, for provenance checks and the reviewers' stale report."""

    def of(label: str, item: Sourced) -> FactItem:
        return FactItem(label, item, item.reviewed, item.confidence, item.sources)

    for flow in content.flows:
        for node in flow.nodes:
            if node.reviewed is not None and node.confidence:
                yield FactItem(
                    f"{flow.id} node {node.id}", node, node.reviewed, node.confidence, node.sources
                )
    for country in content.countries:
        for line in country.emergency:
            yield of(f"{country.id} emergency {line.id}", line)
        for pathway in country.pathways:
            yield of(f"{country.id} pathway {pathway.id}", pathway)
            for name, statement in pathway.statements():
                if _own_provenance(statement, pathway):
                    yield of(f"{country.id} pathway {pathway.id}.{name}", statement)
        for org in country.organisations:
            yield of(f"{country.id} organisation {org.id}", org)
            for line in org.phones:
                yield of(f"{country.id} organisation {org.id} phone {line.id}", line)


def _own_provenance(statement: Statement, parent: Sourced) -> bool:
    return (statement.sources, statement.reviewed, statement.confidence) != (
        parent.sources,
        parent.reviewed,
        parent.confidence,
    )


def _provenance(content: Content, today: dt.date) -> Iterator[Problem]:
    for fact in fact_items(content):
        item, label = fact.item, fact.label
        if fact.reviewed > today:
            yield _error(
                item,
                "reviewed",
                f"{label}: review date {fact.reviewed} is in the future (expected a date no later than {today})",
            )
        elif today - fact.reviewed > STALE_AFTER:
            yield _warning(
                item.location_of("reviewed"),
                f"{label}: facts reviewed {fact.reviewed}, more than 12 months ago; re-check the sources",
                "stale",
            )
        if fact.confidence in ("low", "unverified"):
            yield _warning(
                item.location_of("confidence"),
                f"{label}: confidence is {fact.confidence}; it is shown with a caveat, re-check it before launch",
                "confidence",
            )
