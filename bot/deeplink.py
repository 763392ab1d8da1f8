"""Deep-link payloads: ``https://t.me/<bot>?start=<payload>``.

A payload is ``<campaign>[-<language>[-<COUNTRY>]]``, for example ``lefoe_poster1-ar-AT``
or ``astra--RS`` (campaign and country, no language). Telegram allows at most 64 characters
of ``A-Z a-z 0-9 _ -``. Nothing in a payload identifies a person: it names a poster or a flyer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD_MAX = 64
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CAMPAIGN_RE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Entry:
    """What a deep link asks for; empty strings mean "not given"."""

    campaign: str = ""
    language: str = ""
    country: str = ""


def parse_payload(payload: str) -> Entry:
    """Read a ``/start`` payload; anything malformed gives an empty entry (a normal start)."""
    payload = payload.strip()
    if not PAYLOAD_RE.match(payload):
        return Entry()
    campaign, language, country = ([*payload.split("-"), "", ""])[:3]
    if payload.count("-") > 2 or not CAMPAIGN_RE.match(campaign):
        return Entry()
    return Entry(
        campaign=campaign,
        language=language if LANGUAGE_RE.match(language) else "",
        country=country if COUNTRY_RE.match(country) else "",
    )


def make_payload(campaign: str, language: str = "", country: str = "") -> str:
    """Build a payload; raises ``ValueError`` saying what is wrong and what is expected."""
    if not CAMPAIGN_RE.match(campaign):
        raise ValueError(f"invalid campaign code {campaign!r} (expected 1-40 letters, digits or _)")
    if language and not LANGUAGE_RE.match(language):
        raise ValueError(f"invalid language {language!r} (expected a code such as ar or zh_Hans)")
    if country and not COUNTRY_RE.match(country):
        raise ValueError(f"invalid country {country!r} (expected two capital letters such as RS)")
    payload = campaign
    if language or country:
        payload += f"-{language}"
    if country:
        payload += f"-{country}"
    if len(payload) > PAYLOAD_MAX:
        raise ValueError(f"payload {payload!r} is longer than {PAYLOAD_MAX} characters")
    return payload
