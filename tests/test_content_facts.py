"""Fact fixes from issue 19 stay fixed: checked on the real content."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from bot.content.phones import phone_problem

ROOT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    return load_content(ROOT)


def _phones(country):  # type: ignore[no-untyped-def]
    return {p.id: p for o in country.organisations for p in o.phones}


def test_bih_lists_the_sos_lines_for_victims_of_violence(content) -> None:  # type: ignore[no-untyped-def]
    phones = _phones(content.country("BA"))
    numbers = {p.phone for p in phones.values()}
    assert {"1265", "1264"} <= numbers
    for number in ("1265", "1264"):
        assert phone_problem(number, "BA") is None


def test_bih_does_not_state_an_unverified_ambulance_number(content) -> None:  # type: ignore[no-untyped-def]
    # The dossier has 124 only for Montenegro: BiH's ambulance number is unverified.
    assert all(e.phone != "124" for e in content.country("BA").emergency)


def test_la_strada_moldova_hotline_has_hours(content) -> None:  # type: ignore[no-untyped-def]
    hotline = _phones(content.country("MD"))["la_strada_hotline"]
    assert hotline.hours and "8:00" in hotline.hours and "20:00" in hotline.hours
    assert hotline.confidence != "high"  # the newest source for the hours is c. 2015
