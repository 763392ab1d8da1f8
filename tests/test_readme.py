"""The README tells the truth: its quick start and its commands exist."""

from __future__ import annotations

import re

from bot.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart() -> list[str]:
    block = README.split("<!-- quickstart -->")[1].split("<!-- /quickstart -->")[0]
    return [line for line in block.strip().splitlines() if not line.startswith("```")]


def parser_commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)  # type: ignore[arg-type]


def test_quickstart_is_two_commands_install_and_run_then_test() -> None:
    install_and_run, test = quickstart()
    assert "pip install -e" in install_and_run
    assert install_and_run.endswith("python -m bot")
    assert "pytest" in test


def test_ci_runs_the_readme_quickstart() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- quickstart -->" in ci
    assert 'bash -c "${quickstart[0]}"' in ci
    assert 'bash -c "${quickstart[1]}"' in ci


def test_every_command_in_the_readme_exists() -> None:
    mentioned = set(re.findall(r"python -m bot ([a-z][a-z0-9-]*)", README))
    assert mentioned, "the README names no command"
    assert mentioned <= parser_commands(), mentioned - parser_commands()


def test_every_command_is_in_the_readme() -> None:
    for command in parser_commands():
        assert f"python -m bot {command}" in README, f"README does not document {command!r}"
