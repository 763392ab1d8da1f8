"""Which legal pathways and organisations fit the facts a user gave."""

from __future__ import annotations

from bot.content.model import Clause, Content, Country, FactValue, Flow, Organisation, Pathway
from bot.content.phones import ANY_COUNTRY


def holds(condition: tuple[Clause, ...], facts: dict[str, FactValue]) -> bool:
    """Whether every clause of ``condition`` holds (an empty condition always does)."""
    return all(clause.holds(facts) for clause in condition)


def known_country(content: Content, facts: dict[str, FactValue]) -> Country | None:
    """The country the user chose, or ``None`` when none was given."""
    code = facts.get("country")
    return content.country(code) if isinstance(code, str) else None


def shown_node(flow: Flow, node_id: str, facts: dict[str, FactValue]) -> str:
    """The node to show for ``node_id``: it, or where it leads when its ``when`` fails.

    A node with a condition (say, a question that matters only in EU countries) is
    skipped for users whose facts do not match; the loop guard stops a cycle of skips.
    """
    node = flow.node(node_id)
    seen: set[str] = set()
    while (
        node is not None
        and node.when
        and node.next
        and node.id not in seen
        and not holds(node.when, facts)
    ):
        seen.add(node.id)
        node = flow.node(node.next)
    return node.id if node is not None else node_id


def country_for(content: Content, facts: dict[str, FactValue]) -> Country | None:
    """The user's country, or "another country" (``ZZ``) when none was given."""
    code = facts.get("country")
    country = content.country(code) if isinstance(code, str) else None
    return country or content.country(ANY_COUNTRY)


def matching_pathways(country: Country, facts: dict[str, FactValue]) -> list[Pathway]:
    """The country's pathways whose conditions hold, in the order the content lists them."""
    return [p for p in country.pathways if holds(p.when, facts)]


def helping_organisations(
    country: Country, pathways: list[Pathway], language: str
) -> list[Organisation]:
    """Organisations for these pathways (all of the country's if none is named).

    Those that speak the user's language come first; otherwise content order is kept.
    """
    named = [o for p in pathways for o in p.organisations]
    ids = list(dict.fromkeys(named)) or [o.id for o in country.organisations]
    orgs = [o for o in (country.organisation(i) for i in ids) if o is not None]
    base = language.split("_")[0]
    return sorted(orgs, key=lambda o: not any(code.split("_")[0] == base for code in o.languages))


#: Shown for "another country" (ZZ), which has no flag.
ANY_COUNTRY_SIGN = "🌍"


def country_flag(code: str) -> str:
    """The flag emoji of an ISO 3166 alpha-2 code (regional indicator letters); a globe for
    ZZ or anything that is not two letters."""
    if len(code) != 2 or not code.isascii() or not code.isalpha() or code.upper() == "ZZ":
        return ANY_COUNTRY_SIGN
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())
