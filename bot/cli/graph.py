"""``python -m bot graph``: the question tree as a Mermaid, DOT or SVG diagram."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import add_command, add_content_option, loaded_in


def register(commands: Any) -> None:
    """Add the ``graph`` command."""
    graph = add_command(
        commands, "graph", cmd_graph, "draw the question tree (Mermaid, DOT or SVG)"
    )
    add_content_option(graph)
    graph.add_argument("--flow", metavar="ID", help="flow id (default: the main flow)")
    graph.add_argument("--lang", metavar="L", help="language of the texts (default: the default)")
    graph.add_argument(
        "--format", choices=("mermaid", "dot", "svg"), default="mermaid", help="default: mermaid"
    )
    graph.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: stdout)")


def cmd_graph(args: argparse.Namespace) -> int:
    """Write the question tree as a Mermaid, DOT or SVG diagram."""
    from bot.tools.graph import GraphError, build_graph, pick_flow, render

    setup = loaded_in(args, lambda translator: [args.lang or translator.default_language])
    if isinstance(setup, int):
        return setup
    _, content, translator, (language,) = setup
    try:
        flow = pick_flow(content, args.flow or "")
        text = render(build_graph(content, flow, translator, language), args.format)
    except GraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.format} diagram of flow {flow.id!r} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
