"""The question tree as a diagram: Mermaid (needs nothing), Graphviz DOT, or SVG via ``dot``.

Nodes show their title and the start of their text in the chosen language; options are
labelled edges (with their condition, if any); each result node has dotted edges to the
pathways it can show, grouped by country, labelled with the pathway's condition.

Diagram ids are derived from slugs (``n_<node>``, ``p_<pathway>``, ``c_<country>``): slugs are
``[a-z][a-z0-9_]*``, so the ids are valid in both languages, and the prefixes keep them clear
of Mermaid's keywords (a node called ``end`` would close a subgraph).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

from bot.content.model import Clause, Content, Flow, Node
from bot.engine.render.blocks import CONTINUE
from bot.engine.translator import Translator

Format = Literal["mermaid", "dot", "svg"]
FORMATS: tuple[Format, ...] = ("mermaid", "dot", "svg")
#: How much of a node's text a diagram box shows.
TEXT_PREVIEW = 70
GRAPHVIZ_MISSING = (
    "the dot program of Graphviz is not installed: install graphviz "
    "(apt-get install graphviz) or use --format mermaid"
)
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

Kind = Literal["question", "info", "result", "pathway"]


class GraphError(Exception):
    """The diagram cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class GraphNode:
    """A box: a flow node or a pathway."""

    id: str
    kind: Kind
    title: str
    text: str = ""


@dataclass(frozen=True)
class GraphEdge:
    """An arrow; ``dotted`` for "a result may show this pathway"."""

    source: str
    target: str
    label: str = ""
    dotted: bool = False


@dataclass(frozen=True)
class Group:
    """Boxes drawn together: the pathways of one country."""

    id: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Graph:
    """A flow as boxes and arrows, translated, ready for any output format."""

    flow: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    groups: tuple[Group, ...]


def diagram_id(prefix: str, slug: str) -> str:
    """``<prefix>_<slug>``, checked to be a valid Mermaid and DOT identifier."""
    value = f"{prefix}_{slug}"
    if not _ID_RE.match(value):
        raise GraphError(f"cannot make a diagram id from {slug!r} (expected a content slug)")
    return value


def condition_text(condition: tuple[Clause, ...]) -> str:
    """``if country = RS and fears_return = yes/unsure``, or "" for no condition."""
    if not condition:
        return ""
    parts = [
        f"{clause.fact} = {'/'.join(_value(v) for v in clause.values)}" for clause in condition
    ]
    return "if " + " and ".join(parts)


def _value(value: str | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else value


def shorten(text: str, limit: int = TEXT_PREVIEW) -> str:
    """The first ``limit`` characters of ``text`` on one line, cut at a word, with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,.;:") + "…"


def pick_flow(content: Content, flow_id: str) -> Flow:
    """The flow with ``flow_id`` (the main flow when empty); :class:`GraphError` listing ids."""
    if not flow_id:
        return content.main
    flow = content.flow(flow_id)
    if flow is None:
        known = ", ".join(f.id for f in content.flows)
        raise GraphError(f"unknown flow {flow_id!r} (expected one of: {known})")
    return flow


def build_graph(content: Content, flow: Flow, translator: Translator, language: str) -> Graph:
    """The diagram of ``flow`` with texts in ``language``."""

    def c(text: str, context: str = "") -> str:
        return translator.gettext(language, text, context) if text else ""

    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for node in flow.nodes:
        source = diagram_id("n", node.id)
        nodes.append(
            GraphNode(
                source,
                _kind(node),
                c(node.title, node.context) or node.id,
                shorten(c(node.text, node.context)),
            )
        )
        for option in node.options:
            if flow.node(option.next) is None:
                continue  # the checker reports it; a diagram still helps to find it
            label = c(option.label, node.context)
            when = condition_text(option.when)
            edges.append(
                GraphEdge(
                    source, diagram_id("n", option.next), f"{label} ({when})" if when else label
                )
            )
        if node.next and flow.node(node.next) is not None:
            edges.append(
                GraphEdge(
                    source, diagram_id("n", node.next), translator.gettext(language, CONTINUE)
                )
            )
    groups: list[Group] = []
    results = [diagram_id("n", n.id) for n in flow.nodes if n.type == "result"]
    if results:
        for country in content.countries:
            members = []
            for pathway in country.pathways:
                target = diagram_id("p", pathway.id)
                members.append(target)
                nodes.append(GraphNode(target, "pathway", c(pathway.title)))
                for result in results:
                    edges.append(
                        GraphEdge(result, target, condition_text(pathway.when), dotted=True)
                    )
            if members:
                groups.append(
                    Group(diagram_id("c", country.id.lower()), c(country.name), tuple(members))
                )
    return Graph(flow.id, tuple(nodes), tuple(edges), tuple(groups))


def _kind(node: Node) -> Kind:
    if node.type == "question":
        return "question"
    if node.type == "result":
        return "result"
    return "info"


# -- Mermaid -----------------------------------------------------------------------------

#: Characters with a meaning in Mermaid labels, as Mermaid's entity codes. ``#`` first: it
#: starts every code, so a literal one must not be read as the start of an entity.
_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
}
_MERMAID_SHAPES: dict[Kind, tuple[str, str]] = {
    "question": ("[", "]"),
    "info": ("(", ")"),
    "result": ("[[", "]]"),
    "pathway": ("{{", "}}"),
}
_COLOURS: dict[Kind, str] = {
    "question": "#e3f2fd",
    "info": "#f1f8e9",
    "result": "#fff3e0",
    "pathway": "#fce4ec",
}


def mermaid_text(text: str) -> str:
    """``text`` escaped for a double-quoted Mermaid label (one line)."""
    flat = " ".join(text.split())
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in flat)


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (every label quoted and escaped)."""
    lines = ["flowchart TD"]
    grouped = {member for group in graph.groups for member in group.members}
    for node in graph.nodes:
        if node.id not in grouped:
            lines.append("  " + _mermaid_node(node))
    nodes_by_id = {node.id: node for node in graph.nodes}
    for group in graph.groups:
        lines.append(f'  subgraph {group.id} ["{mermaid_text(group.label)}"]')
        lines += [f"    {_mermaid_node(nodes_by_id[m])}" for m in group.members]
        lines.append("  end")
    for edge in graph.edges:
        arrow = "-.->" if edge.dotted else "-->"
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    for kind, colour in _COLOURS.items():
        members = [node.id for node in graph.nodes if node.kind == kind]
        if members:
            lines.append(f"  classDef {kind} fill:{colour},stroke:#555")
            lines.append(f"  class {','.join(members)} {kind}")
    return "\n".join(lines) + "\n"


def _mermaid_node(node: GraphNode) -> str:
    opening, closing = _MERMAID_SHAPES[node.kind]
    label = mermaid_text(node.title)
    if node.text:
        label += f"<br/>{mermaid_text(node.text)}"
    return f'{node.id}{opening}"{label}"{closing}'


# -- Graphviz ----------------------------------------------------------------------------

_DOT_SHAPES: dict[Kind, str] = {
    "question": "box",
    "info": "box",
    "result": "box3d",
    "pathway": "hexagon",
}


def dot_text(text: str) -> str:
    """``text`` escaped for a double-quoted DOT string; newlines become line breaks.

    Backslashes and quotes are DOT escapes; ``&`` too, because Graphviz reads HTML entities
    such as ``&amp;`` in every label and would otherwise change the text.
    """
    return text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz's DOT language."""
    font = 'fontname="Noto Sans,DejaVu Sans,Arial"'
    lines = [
        f'digraph "{dot_text(graph.flow)}" {{',
        f"  graph [rankdir=TB, {font}];",
        f'  node [{font}, fontsize=11, style="rounded,filled", margin="0.15,0.08"];',
        f"  edge [{font}, fontsize=10];",
    ]
    grouped = {member for group in graph.groups for member in group.members}
    nodes_by_id = {node.id: node for node in graph.nodes}
    for node in graph.nodes:
        if node.id not in grouped:
            lines.append("  " + _dot_node(node))
    for group in graph.groups:
        lines.append(f'  subgraph "cluster_{group.id}" {{')
        lines.append(f'    label="{dot_text(group.label)}"; style="rounded,dashed";')
        lines += [f"    {_dot_node(nodes_by_id[m])}" for m in group.members]
        # Stack a country's pathways instead of lining up dozens side by side.
        lines += [
            f'    "{above}" -> "{below}" [style=invis];'
            for above, below in itertools.pairwise(group.members)
        ]
        lines.append("  }")
    for edge in graph.edges:
        attrs = []
        if edge.label:
            attrs.append(f'label="{dot_text(edge.label)}"')
        if edge.dotted:
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f'  "{edge.source}" -> "{edge.target}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: GraphNode) -> str:
    label = node.title + (f"\n{_wrap(node.text)}" if node.text else "")
    return (
        f'"{node.id}" [label="{dot_text(label)}", shape={_DOT_SHAPES[node.kind]}, '
        f'fillcolor="{_COLOURS[node.kind]}"];'
    )


def _wrap(text: str, width: int = 32) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def to_svg(dot: str, *, timeout: float = 60.0) -> str:
    """Render DOT to SVG with Graphviz; :class:`GraphError` when ``dot`` is missing or fails."""
    program = shutil.which("dot")
    if program is None:
        raise GraphError(GRAPHVIZ_MISSING)
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphError(f"Graphviz took longer than {timeout:.0f} s and was stopped") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphError(f"Graphviz failed: {message}")
    return done.stdout.decode("utf-8")


def render(graph: Graph, fmt: Format) -> str:
    """The graph in ``fmt``."""
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    return to_svg(to_dot(graph))
