"""Shared fixtures: paths, the shipped content and small test content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ENGINE_FIXTURES = FIXTURES / "engine"
#: Test content is dated; pin "today" so stale warnings do not appear as time passes.
TODAY = dt.date(2026, 12, 4)


@pytest.fixture(scope="session")
def engine_content() -> Content:
    """Small content that exercises every engine feature."""
    return load_content(ENGINE_FIXTURES, today=TODAY)


@pytest.fixture(scope="session")
def shipped_content() -> Content:
    """The content the bot ships with."""
    return load_content(ROOT / "content")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites tests/golden/ from the current engine and content."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden transcripts in tests/golden/ instead of comparing them",
    )
