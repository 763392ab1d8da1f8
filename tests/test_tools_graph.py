"""``python -m bot graph``: the question tree as Mermaid, DOT and SVG.

The Mermaid output is checked twice: against the syntax rules the writer relies on (strict,
always), and by Mermaid's own parser under Node (``tests/mermaid/``), installed with
``npm ci`` on first use and skipped only where Node is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import Content
from bot.engine.translator import SourceTranslator
from bot.tools.graph import (
    GRAPHVIZ_MISSING,
    GraphError,
    build_graph,
    dot_text,
    mermaid_text,
    pick_flow,
    to_dot,
    to_mermaid,
    to_svg,
)
from tests.conftest import ROOT
from tests.support.cli import run_bot

MERMAID_DIR = ROOT / "tests" / "mermaid"
#: Text that breaks naive writers: quotes, entities, brackets, pipes, keywords, comments.
NASTY = 'Say "end" | a#quot; <b>&amp;</b> `x` [y] (z) {w} ; %% --> end\nnew line \\ back'


class Nasty(SourceTranslator):
    """Every message comes back wrapped in characters Mermaid and DOT treat specially."""

    def gettext(self, language: str, message: str, context: str = "") -> str:
        return f"{NASTY} {message}"


# -- a strict checker for the Mermaid subset the writer emits ---------------------------

ID = r"[A-Za-z][A-Za-z0-9_]*"
LABEL = r'"([^"\n]*)"'
RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click",
            "linkStyle", "default", "direction"}  # fmt: skip
NODE = re.compile(rf"^\s*({ID})(\[\[|\[|\(|\{{\{{){LABEL}(\]\]|\]|\)|\}}\}})$")
SUBGRAPH = re.compile(rf"^\s*subgraph ({ID}) \[{LABEL}\]$")
EDGE = re.compile(rf"^\s*({ID}) (-->|-\.->)(?:\|{LABEL}\|)? ({ID})$")
CLASSDEF = re.compile(r"^\s*classDef (\w+) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{3}$")
CLASS = re.compile(rf"^\s*class ({ID}(?:,{ID})*) (\w+)$")
PAIRS = {"[[": "]]", "[": "]", "(": ")", "{{": "}}"}
ENTITY = re.compile(r"#(\w+);")


def check_label(label: str) -> None:
    """A label's text is safe inside double quotes: no raw quote, pipe, backtick, bracket
    tag other than <br/>, and every # starts an entity."""
    without_breaks = label.replace("<br/>", "")
    assert not set('"|`<>\n') & set(without_breaks), label
    assert "#" not in ENTITY.sub("", without_breaks), label


def check_mermaid(text: str) -> None:
    """Fail unless ``text`` keeps every rule ``to_mermaid`` relies on."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    declared: set[str] = set()
    edges: list[tuple[str, str]] = []
    depth = 0
    for line in lines[1:]:
        if m := NODE.match(line):
            node_id, opening, label, closing = m.groups()
            assert PAIRS[opening] == closing, line
            assert node_id not in declared, f"duplicate id {node_id}"
            declared.add(node_id)
            check_label(label)
        elif m := SUBGRAPH.match(line):
            declared.add(m.group(1))
            check_label(m.group(2))
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0, "end without subgraph"
        elif m := EDGE.match(line):
            if m.group(3) is not None:
                check_label(m.group(3))
            edges.append((m.group(1), m.group(4)))
        elif CLASSDEF.match(line):
            pass
        elif m := CLASS.match(line):
            assert set(m.group(1).split(",")) <= declared, line
        else:
            raise AssertionError(f"line not in the Mermaid subset: {line!r}")
    assert depth == 0, "unclosed subgraph"
    assert not declared & RESERVED
    for source, target in edges:
        assert source in declared and target in declared, (source, target)


def decode_mermaid(label: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return ENTITY.sub(lambda m: named.get(m.group(1)) or chr(int(m.group(1))), label)


# -- Mermaid -----------------------------------------------------------------------------


def test_shipped_flow_as_mermaid_keeps_the_syntax_rules(shipped_content: Content) -> None:
    graph = build_graph(shipped_content, shipped_content.main, SourceTranslator(), "en")
    text = to_mermaid(graph)
    check_mermaid(text)
    assert 'n_menu["Menu<br/>What would you like to do?"]' in text
    assert 'n_menu -->|"Find my options"| n_where' in text


def test_every_node_option_and_pathway_is_drawn(engine_content: Content) -> None:
    flow = engine_content.main
    graph = build_graph(engine_content, flow, SourceTranslator(), "en")
    ids = {node.id for node in graph.nodes}
    assert {f"n_{node.id}" for node in flow.nodes} <= ids
    pathways = {p.id for c in engine_content.countries for p in c.pathways}
    assert {f"p_{p}" for p in pathways} <= ids
    options = [(n.id, o) for n in flow.nodes for o in n.options]
    for node_id, option in options:
        assert any(
            e.source == f"n_{node_id}"
            and e.target == f"n_{option.next}"
            and option.label in e.label
            for e in graph.edges
        ), option.id
    result = next(n for n in flow.nodes if n.type == "result")
    shown = {e.target for e in graph.edges if e.source == f"n_{result.id}" and e.dotted}
    assert shown == {f"p_{p}" for p in pathways}


def test_pathway_conditions_label_the_dotted_edges(engine_content: Content) -> None:
    graph = build_graph(engine_content, engine_content.main, SourceTranslator(), "en")
    conditional = [(c.id, p) for c in engine_content.countries for p in c.pathways if p.when]
    assert conditional, "the fixture should have a pathway with a condition"
    for _, pathway in conditional:
        edge = next(e for e in graph.edges if e.target == f"p_{pathway.id}")
        assert edge.label.startswith("if " + pathway.when[0].fact + " = ")


def test_hostile_labels_are_escaped_and_decode_back(engine_content: Content) -> None:
    graph = build_graph(engine_content, engine_content.main, Nasty(), "en")
    text = to_mermaid(graph)
    check_mermaid(text)
    labels = re.findall(r'"([^"]*)"', text)
    decoded = {decode_mermaid(label) for label in labels}
    assert any(" ".join(NASTY.split()) in label for label in decoded)


def test_mermaid_text_escapes_each_special_character() -> None:
    assert mermaid_text('a"b') == "a#quot;b"
    assert mermaid_text("#quot;") == "#35;quot;"
    assert mermaid_text("<br/>") == "#lt;br/#gt;"
    assert mermaid_text("a|b`c&d") == "a#124;b#96;c#amp;d"
    assert mermaid_text("two\nlines") == "two lines"


def test_unknown_flow_lists_the_flows(engine_content: Content) -> None:
    with pytest.raises(GraphError, match=r"unknown flow 'nope' \(expected one of: main\)"):
        pick_flow(engine_content, "nope")


def _mermaid_parser() -> Path:
    """Mermaid's parser under Node, installed once with ``npm ci`` (about 15 s)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed (needed for Mermaid's own parser)")
    if not (MERMAID_DIR / "node_modules" / "mermaid").is_dir():
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=MERMAID_DIR,
            check=True,
            timeout=300,
            capture_output=True,
        )
    return MERMAID_DIR / "parse.mjs"


def run_mermaid_parser(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(_mermaid_parser()), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_mermaids_own_parser_accepts_the_output(
    shipped_content: Content, engine_content: Content, tmp_path: Path
) -> None:
    shipped = tmp_path / "shipped.mmd"
    shipped.write_text(
        to_mermaid(build_graph(shipped_content, shipped_content.main, SourceTranslator(), "en")),
        encoding="utf-8",
    )
    nasty = tmp_path / "nasty.mmd"
    nasty.write_text(
        to_mermaid(build_graph(engine_content, engine_content.main, Nasty(), "en")),
        encoding="utf-8",
    )
    for path in (shipped, nasty):
        result = run_mermaid_parser(path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("flowchart-v2")


@pytest.mark.parametrize(
    "line",
    [
        'n_a["say "hi" ] x"] --> n_b["x"]',  # a raw quote ends the label early
        'end["x"] --> n_b',  # a keyword as an id (hence the n_ prefix)
    ],
)
def test_mermaids_own_parser_rejects_what_escaping_prevents(line: str, tmp_path: Path) -> None:
    """The parser test can fail: unescaped text breaks the diagram."""
    broken = tmp_path / "broken.mmd"
    broken.write_text(f"flowchart TD\n  {line}\n", encoding="utf-8")
    result = run_mermaid_parser(broken)
    assert result.returncode == 1
    assert "Parse error" in result.stderr
    with pytest.raises(AssertionError):
        check_mermaid(broken.read_text(encoding="utf-8"))


# -- DOT and SVG -------------------------------------------------------------------------


def test_dot_text_escapes_quotes_and_backslashes() -> None:
    assert dot_text('say "hi" \\n') == 'say \\"hi\\" \\\\n'
    assert dot_text("A&amp;B") == "A&amp;amp;B"
    assert dot_text("two\nlines") == "two\\nlines"


def test_dot_output_escapes_hostile_labels(engine_content: Content) -> None:
    text = to_dot(build_graph(engine_content, engine_content.main, Nasty(), "en"))
    for line in text.splitlines()[4:]:
        # Inside each quoted string, every quote is escaped: an even count of raw quotes.
        raw = re.sub(r"\\.", "", line)
        assert raw.count('"') % 2 == 0, line


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_through_graphviz(engine_content: Content) -> None:
    svg = to_svg(to_dot(build_graph(engine_content, engine_content.main, Nasty(), "en")))
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    # Graphviz kept the hostile text as text (escaped for XML), not as markup.
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in svg
    assert "Find my options" in svg


def test_graph_command_writes_mermaid_by_default(tmp_path: Path) -> None:
    out = tmp_path / "flow.mmd"
    result = run_bot("graph", "--out", str(out))
    assert result.returncode == 0, result.stderr
    check_mermaid(out.read_text(encoding="utf-8"))


def test_graph_command_svg_without_graphviz_says_how_to_install(tmp_path: Path) -> None:
    # A PATH with Python but without dot.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = run_bot("graph", "--format", "svg", env={"PATH": str(bin_dir)})
    assert result.returncode == 1
    assert GRAPHVIZ_MISSING in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert "or use --format mermaid" in result.stderr


def test_graph_command_rejects_an_unknown_language() -> None:
    result = run_bot("graph", "--lang", "xx")
    assert result.returncode == 2
    assert "unknown language 'xx' (expected one of: en" in result.stderr
