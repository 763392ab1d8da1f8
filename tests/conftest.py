"""Shared fixtures: paths, the shipped content and small test content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: Test content is dated; pin "today" so stale warnings do not appear as time passes.
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def engine_content() -> Content:
    """Small content that exercises every engine feature."""
    return load_content(FIXTURES / "engine", today=TODAY)


@pytest.fixture(scope="session")
def shipped_content() -> Content:
    """The content the bot ships with."""
    return load_content(ROOT / "content")
