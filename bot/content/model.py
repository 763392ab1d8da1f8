"""The content model: frozen dataclasses that describe flows, countries and facts.

This module is the single description of the content format. Each field that comes from YAML
carries a :func:`spec` in its metadata (its kind, whether it is required, a description for
editors). The loader, the JSON Schema export and the translation extractor all read these
specs, so adding a field here is the whole change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from bot.content.fields import spec

SCHEMA_VERSION = 1

FactValue = str | bool
Confidence = Literal["high", "medium", "low", "unverified"]
CONFIDENCE_LEVELS: tuple[Confidence, ...] = ("high", "medium", "low", "unverified")

SERVICES = (
    "information",
    "legal_aid",
    "shelter",
    "health",
    "psychosocial",
    "interpretation",
    "return",
    "reporting",
    "emergency",
)


@dataclass(frozen=True, order=True)
class Location:
    """Where an item was written: file (relative to the content root) and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


_NOWHERE = Location("<memory>", 0)


@dataclass(frozen=True, kw_only=True)
class Located:
    """Base for items read from YAML: remembers the item's and each field's line."""

    where: Location = field(default=_NOWHERE, compare=False, repr=False)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def location_of(self, name: str) -> Location:
        """The location of one field (falls back to the item's own line)."""
        return Location(self.where.file, self.field_lines.get(name, self.where.line))


@dataclass(frozen=True, kw_only=True)
class Sourced(Located):
    """An item that states facts, so it must say where they come from and when checked."""

    sources: tuple[str, ...] = spec(
        "string", "Where the facts come from: URL, or act and article.", min_items=1
    )
    reviewed: dt.date = spec("date", "When the facts were last checked (YYYY-MM-DD).")
    confidence: Confidence = spec(
        "confidence",
        "high: state plainly; medium/low: shown with a caveat; unverified: never as a fact.",
    )


@dataclass(frozen=True, kw_only=True)
class Statement(Sourced):
    """One user-facing sentence or paragraph that states a fact.

    In YAML it is either a plain string, which inherits ``sources``, ``reviewed`` and
    ``confidence`` from the item it belongs to, or a mapping with its own.
    """

    text: str = spec("text", "What the user reads.")


@dataclass(frozen=True, kw_only=True)
class Clause:
    """One part of a condition: the fact must have one of ``values``."""

    fact: str
    values: tuple[FactValue, ...]

    def holds(self, facts: dict[str, FactValue]) -> bool:
        """Whether the gathered facts satisfy this clause (an unset fact never does)."""
        return self.fact in facts and facts[self.fact] in self.values


@dataclass(frozen=True, kw_only=True)
class Option(Located):
    """A button of a question: it may set facts and leads to the next node."""

    id: str = spec("slug", "Stable id, never renamed once shipped.")
    label: str = spec("label", "Button text, short.")
    next: str = spec("slug", "Id of the node this option leads to.")
    set: tuple[tuple[str, FactValue], ...] = spec(
        "assignments",
        "Facts this answer sets, e.g. {fears_return: true}.",
        required=False,
        default=(),
    )
    when: tuple[Clause, ...] = spec(
        "condition",
        "Show the option only when facts match, e.g. {country: [RS, HR]}.",
        required=False,
        default=(),
    )
    translator_note: str = spec("string", "A hint for translators.", required=False, default="")


NODE_TYPES = ("question", "info", "result")


@dataclass(frozen=True, kw_only=True)
class Node(Located):
    """A step of a flow. ``question`` asks, ``info`` tells, ``result`` lists pathways."""

    id: str = spec("slug", "Stable id, never renamed once shipped.")
    type: str = spec("choice", "question, info or result.", choices=NODE_TYPES)
    title: str = spec("label", "Short heading, also the topic name.", required=False, default="")
    text: str = spec("text", "What the user reads.")
    options: tuple[Option, ...] = spec(
        "object", "Buttons of a question (or extra buttons of info).", required=False, default=()
    )
    next: str = spec(
        "slug",
        "Node an info screen continues to (its Continue button); for a node with `when`, "
        "also where the bot goes instead when the condition does not hold.",
        required=False,
        default="",
    )
    when: tuple[Clause, ...] = spec(
        "condition",
        "Show the node only when facts match, e.g. {country: [AT, HR]}; otherwise the bot "
        "goes straight on to `next` (a question that matters only in some countries).",
        required=False,
        default=(),
    )
    keywords: str = spec(
        "text",
        "Comma-separated words that lead here when typed (translated).",
        required=False,
        default="",
    )
    show: tuple[str, ...] = spec(
        "choice",
        "Blocks the bot adds from country data: emergency (the Help now numbers: emergency "
        "numbers and support lines; every country's when none is known), organisations.",
        required=False,
        default=(),
        choices=("emergency", "organisations"),
    )
    topic: bool = spec(
        "bool", "Whether typed text may lead straight here.", required=False, default=False
    )
    translator_note: str = spec("string", "A hint for translators.", required=False, default="")
    sources: tuple[str, ...] = spec(
        "string", "If the text states facts: where they come from.", required=False, default=()
    )
    reviewed: dt.date | None = spec(
        "date", "If the text states facts: when they were checked.", required=False, default=None
    )
    confidence: str = spec(
        "confidence", "If the text states facts: how sure we are.", required=False, default=""
    )
    context: str = spec(
        "string",
        "Gettext context: set it when the same English text needs different translations.",
        required=False,
        default="",
    )


@dataclass(frozen=True, kw_only=True)
class Flow(Located):
    """A graph of nodes with a start node and a menu node."""

    id: str = spec("slug", "Stable id of the flow.")
    start: str = spec("slug", "Node shown first (after the language choice).")
    menu: str = spec("slug", "Node the Menu button leads to.")
    nodes: tuple[Node, ...] = spec("object", "The nodes of the flow.", min_items=1)

    def node(self, node_id: str) -> Node | None:
        """The node with this id, if any."""
        return self._index.get(node_id)

    @property
    def _index(self) -> dict[str, Node]:
        cached: dict[str, Node] | None = self.__dict__.get("_node_index")
        if cached is None:
            cached = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_node_index", cached)
        return cached


FACT_TYPES = ("bool", "enum", "country")


@dataclass(frozen=True, kw_only=True)
class FactDef(Located):
    """A fact that answers may set and conditions may test."""

    id: str = spec("slug", "Stable id of the fact.")
    type: str = spec("choice", "bool, enum (see values) or country.", choices=FACT_TYPES)
    values: tuple[str, ...] = spec(
        "slug", "Allowed values of an enum fact.", required=False, default=()
    )
    description: str = spec("string", "What the fact means.", required=False, default="")


@dataclass(frozen=True, kw_only=True)
class PhoneLine(Sourced):
    """A phone number: an emergency number or an organisation's line."""

    id: str = spec("slug", "Stable id.")
    label: str = spec("label", "What the line is, e.g. 'Police' or 'SOS hotline'.")
    phone: str = spec("phone", "The number: E.164 (+381...) or a national short number.")
    hours: str = spec("text", "When it answers, if known.", required=False, default="")
    note: str = spec("text", "Anything else the caller should know.", required=False, default="")


@dataclass(frozen=True, kw_only=True)
class Organisation(Sourced):
    """An organisation that helps: NGO, state centre or service."""

    id: str = spec("slug", "Stable id, unique across all countries.")
    name: str = spec(
        "text",
        "Name as the organisation writes it (translated: translators keep the proper name and "
        "translate only descriptive words).",
    )
    summary: str = spec("text", "One line: who they are and what they do.")
    cities: tuple[str, ...] = spec(
        "text", "Cities where they work (translated).", required=False, default=()
    )
    phones: tuple[PhoneLine, ...] = spec("object", "Phone lines.", required=False, default=())
    email: str = spec("email", "E-mail address.", required=False, default="")
    website: str = spec("url", "Website.", required=False, default="")
    languages: tuple[str, ...] = spec(
        "language", "Languages spoken (codes such as en, ar).", required=False, default=()
    )
    services: tuple[str, ...] = spec(
        "choice", "What they offer.", required=False, default=(), choices=SERVICES
    )
    for_whom: str = spec("text", "Who they help.", required=False, default="")


@dataclass(frozen=True, kw_only=True)
class Pathway(Sourced):
    """A legal route to stay or to protection in one country."""

    id: str = spec("slug", "Stable id, unique across all countries.")
    title: str = spec("label", "Name of the route, short (button text).")
    summary: Statement = spec("statement", "One or two sentences: what this route is.")
    legal_basis: Statement = spec("statement", "Act and article.")
    decides: Statement = spec("statement", "Who decides.")
    gives: Statement = spec("statement", "What it gives: stay, work, health care, length.")
    conditions: Statement = spec("statement", "What is required.")
    first_step: Statement = spec("statement", "What to do first.")
    caution: Statement | None = spec(
        "statement", "A risk the user should know about.", required=False, default=None
    )
    fits_because: str = spec(
        "text", "Why it is shown, in words the user understands.", required=False, default=""
    )
    when: tuple[Clause, ...] = spec(
        "condition", "Show only when facts match.", required=False, default=()
    )
    organisations: tuple[str, ...] = spec(
        "slug", "Ids of organisations that help with this route.", required=False, default=()
    )

    def statements(self) -> Iterator[tuple[str, Statement]]:
        """Every statement of the pathway with its field name, in reading order."""
        for name in (
            "summary",
            "legal_basis",
            "decides",
            "gives",
            "conditions",
            "first_step",
            "caution",
        ):
            value = getattr(self, name)
            if value is not None:
                yield name, value


@dataclass(frozen=True, kw_only=True)
class Country(Located):
    """A country (or ``ZZ``: another country / not sure) with its numbers and routes."""

    id: str = spec("country", "ISO 3166 alpha-2 code, or ZZ for 'another country'.")
    name: str = spec("label", "Country name as users read it.")
    emergency: tuple[PhoneLine, ...] = spec(
        "object", "Emergency numbers, most important first.", min_items=1
    )
    emergency_note: str = spec(
        "text", "Shown with the emergency numbers.", required=False, default=""
    )
    pathways: tuple[Pathway, ...] = spec("object", "Legal routes.", required=False, default=())
    organisations: tuple[Organisation, ...] = spec(
        "object", "Organisations that help.", required=False, default=()
    )

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation with this id, if this country lists it."""
        return next((o for o in self.organisations if o.id == org_id), None)


@dataclass(frozen=True, kw_only=True)
class FactsFile(Located):
    """``content/facts.yaml``: the facts answers can set."""

    schema_version: int = spec("int", f"Format version; currently {SCHEMA_VERSION}.")
    facts: tuple[FactDef, ...] = spec("object", "Fact definitions.", min_items=1)


@dataclass(frozen=True, kw_only=True)
class FlowFile(Located):
    """``content/flows/<id>.yaml``: one flow."""

    schema_version: int = spec("int", f"Format version; currently {SCHEMA_VERSION}.")
    flow: Flow = spec("object", "The flow.")


@dataclass(frozen=True, kw_only=True)
class CountryFile(Located):
    """``content/countries/<cc>.yaml``: one country."""

    schema_version: int = spec("int", f"Format version; currently {SCHEMA_VERSION}.")
    country: Country = spec("object", "The country.")


@dataclass(frozen=True)
class Content:
    """All loaded content: facts, flows and countries, validated."""

    facts: tuple[FactDef, ...]
    flows: tuple[Flow, ...]
    countries: tuple[Country, ...]
    root: str = ""

    @property
    def main(self) -> Flow:
        """The main flow (the one with id ``main``, else the first)."""
        return next((f for f in self.flows if f.id == "main"), self.flows[0])

    def flow(self, flow_id: str) -> Flow | None:
        """The flow with this id, if any."""
        return next((f for f in self.flows if f.id == flow_id), None)

    def country(self, country_id: str) -> Country | None:
        """The country with this code, if any."""
        # Asked several times for every screen: an index, built once (content is frozen).
        index: dict[str, Country] | None = self.__dict__.get("_country_index")
        if index is None:
            index = {}
            for country in self.countries:
                index.setdefault(country.id, country)  # the first wins, as before
            object.__setattr__(self, "_country_index", index)
        return index.get(country_id)

    def fact(self, fact_id: str) -> FactDef | None:
        """The fact definition with this id, if any."""
        return next((f for f in self.facts if f.id == fact_id), None)

    def pathway(self, pathway_id: str) -> tuple[Country, Pathway] | None:
        """The pathway with this id and its country, if any."""
        index: dict[str, tuple[Country, Pathway]] | None = self.__dict__.get("_pathway_index")
        if index is None:
            index = {}
            for country in self.countries:
                for pathway in country.pathways:
                    index.setdefault(pathway.id, (country, pathway))
            object.__setattr__(self, "_pathway_index", index)
        return index.get(pathway_id)

    def organisation(self, org_id: str) -> tuple[Country, Organisation] | None:
        """The organisation with this id and its country, if any."""
        for country in self.countries:
            org = country.organisation(org_id)
            if org is not None:
                return country, org
        return None


FILE_KINDS: dict[str, type[Located]] = {
    "facts": FactsFile,
    "flow": FlowFile,
    "country": CountryFile,
}
