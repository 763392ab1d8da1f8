"""Campaign links: ``https://t.me/<bot>?start=<payload>``, checked, and their QR codes.

The payload format and its syntax rules live in :mod:`bot.deeplink` (one place for the
rule); this module adds what only the command line knows: which languages and countries
the bot really offers, and the bot's username (from ``BOT_USERNAME`` or the Bot API's
``getMe``).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.content.model import Content
from bot.deeplink import PAYLOAD_RE, make_payload
from bot.engine.translator import Translator

#: Telegram's own Bot API server; ``TELEGRAM_API_URL`` replaces it (same form as in the app).
DEFAULT_API_URL = "https://api.telegram.org/bot"
#: Telegram usernames: 5-32 letters, digits and underscores (bots end in "bot").
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]$")
QR_KINDS = {".png": "png", ".svg": "svg"}


class LinkError(Exception):
    """Something the user must fix; the message says what and what was expected."""


def validated_payload(
    content: Content,
    translator: Translator,
    campaign: str,
    language: str = "",
    country: str = "",
) -> str:
    """The deep-link payload, after checking the language and country exist.

    Raises :class:`LinkError` listing the valid languages or countries.
    """
    languages = [lang.code for lang in translator.languages]
    if language and language not in languages:
        raise LinkError(f"unknown language {language!r} (expected one of: {', '.join(languages)})")
    country = country.upper()
    countries = [c.id for c in content.countries]
    if country and country not in countries:
        raise LinkError(f"unknown country {country!r} (expected one of: {', '.join(countries)})")
    try:
        payload = make_payload(campaign, language, country)
    except ValueError as exc:
        raise LinkError(str(exc)) from exc
    # make_payload builds from checked parts; this guards the rule Telegram enforces itself.
    if not PAYLOAD_RE.match(payload):
        raise LinkError(f"payload {payload!r} is invalid (expected at most 64 of A-Z a-z 0-9 _ -)")
    return payload


def campaign_link(username: str, payload: str) -> str:
    """The ``t.me`` link that opens the bot with ``payload``."""
    return f"https://t.me/{username}?start={payload}"


def bot_username(settings: Settings, *, timeout: float = 10.0) -> str:
    """The bot's username: ``BOT_USERNAME``, else asked from the Bot API with ``getMe``.

    Raises :class:`LinkError` when neither is available. The token never appears in a message.
    """
    configured = settings.bot_username.removeprefix("@")
    if configured:
        if not USERNAME_RE.match(configured):
            raise LinkError(
                f"BOT_USERNAME={settings.bot_username!r} is invalid "
                "(expected the bot's Telegram username, 5-32 letters, digits or _)"
            )
        return configured
    if not settings.telegram_token:
        raise LinkError(
            "the bot's username is unknown: set BOT_USERNAME (e.g. BOT_USERNAME=pathways_bot), "
            "or TELEGRAM_BOT_TOKEN so it can be asked from Telegram with getMe"
        )
    return _get_me_username(settings.telegram_api_url or DEFAULT_API_URL, settings, timeout)


def _get_me_username(base: str, settings: Settings, timeout: float) -> str:
    url = f"{base}{settings.telegram_token}/getMe"
    shown = base  # the URL without the token, for messages
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            answer: Any = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 404):
            raise LinkError(
                f"the Bot API at {shown} refused the token (HTTP {exc.code}): check "
                "TELEGRAM_BOT_TOKEN, or set BOT_USERNAME instead"
            ) from None
        raise LinkError(
            f"the Bot API at {shown} answered getMe with HTTP {exc.code}; set BOT_USERNAME instead"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LinkError(
            f"could not reach the Bot API at {shown} ({reason}); set BOT_USERNAME instead"
        ) from None
    except ValueError:
        raise LinkError(f"the Bot API at {shown} did not answer getMe with JSON") from None
    username = answer.get("result", {}).get("username") if isinstance(answer, dict) else None
    if not (isinstance(answer, dict) and answer.get("ok") and isinstance(username, str)):
        raise LinkError(f"the Bot API at {shown} gave no username in its getMe answer")
    return username


def qr_kind(path: Path) -> str:
    """``png`` or ``svg`` from the file name; :class:`LinkError` for anything else."""
    kind = QR_KINDS.get(path.suffix.lower())
    if kind is None:
        raise LinkError(f"cannot write a QR code to {path} (expected a .png or .svg file name)")
    return kind


def write_qr(link: str, path: Path) -> None:
    """Write ``link`` as a QR code, PNG or SVG by the file's extension.

    Error correction level M (or higher when it fits) survives a fold or a smudge on a poster; the 4-module quiet
    zone is what scanners need.
    """
    import segno

    kind = qr_kind(path)
    code = segno.make_qr(link, error="m")
    if kind == "png":
        code.save(str(path), kind="png", scale=10, border=4)
    else:
        code.save(str(path), kind="svg", scale=10, border=4, title=link)


def qr_svg_inline(link: str) -> str:
    """``link`` as an inline ``<svg>`` element that scales to its box (for the flyer)."""
    import segno

    code = segno.make_qr(link, error="m")
    svg: str = code.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, light="#fff"
    )
    return svg


def flyer_languages(translator: Translator, chosen: Sequence[str]) -> list[str]:
    """The languages a flyer shows: the chosen ones, or every enabled language."""
    return list(chosen) or [lang.code for lang in translator.languages]
