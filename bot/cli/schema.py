"""``python -m bot schema``: the JSON Schemas of the content files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.cli.common import add_command


def register(commands: Any) -> None:
    """Add the ``schema`` command."""
    schema = add_command(
        commands, "schema", cmd_schema, "print or write the JSON Schema of the content files"
    )
    schema.add_argument(
        "--out", type=Path, metavar="DIR", help="write <kind>.schema.json files into DIR"
    )


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas of the content files."""
    from bot.content.schema import all_schemas

    schemas = all_schemas()
    if args.out is None:
        print(json.dumps(schemas, indent=2, ensure_ascii=False))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, schema in schemas.items():
        path = args.out / f"{kind}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path)
    return 0
