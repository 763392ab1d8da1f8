"""Callback data of inline buttons: ``v1:<nonce>:<index>``, both in base 36.

The button says only which screen it belongs to (the nonce) and which of its buttons it is
(the index); what the button does is kept in the session. So callback data is tiny (at most
12 bytes), carries no content ids or user data, and anything forged, malformed, oversized or
from another version decodes to ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.content.limits import CALLBACK_DATA_MAX_BYTES
from bot.engine import events as ev
from bot.engine.state import NONCE_MODULUS

VERSION = "v1"
#: Far more buttons than any screen has, so any real index fits.
INDEX_LIMIT = 36**2
_PATTERN = re.compile(r"^v1:([0-9a-z]{1,5}):([0-9a-z]{1,2})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(value: int) -> str:
    digits = ""
    while True:
        value, rest = divmod(value, 36)
        digits = _DIGITS[rest] + digits
        if value == 0:
            return digits


#: Every index in base 36, worked out once: a keyboard encodes one per button.
_INDEXES = tuple(_base36(index) for index in range(INDEX_LIMIT))
# The longest callback data there can be fits Telegram's limit (ASCII: a byte a character).
assert len(f"{VERSION}:{_base36(NONCE_MODULUS - 1)}:{_INDEXES[-1]}") <= CALLBACK_DATA_MAX_BYTES


def encoder(nonce: int) -> Callable[[int], str]:
    """Callback data for each button index of the screen with ``nonce``."""
    if not 0 <= nonce < NONCE_MODULUS:
        raise ValueError(f"nonce {nonce} out of range")
    prefix = f"{VERSION}:{_base36(nonce)}:"

    def encode_index(index: int) -> str:
        if not 0 <= index < INDEX_LIMIT:
            raise ValueError(f"button index {index} out of range")
        return prefix + _INDEXES[index]

    return encode_index


def encode(nonce: int, index: int) -> str:
    """Callback data for button ``index`` of the screen with ``nonce``."""
    return encoder(nonce)(index)


def decode(data: object) -> tuple[int, int] | None:
    """``(nonce, index)`` from callback data, or ``None`` if it is not ours or is malformed."""
    if not isinstance(data, str) or len(data) > CALLBACK_DATA_MAX_BYTES:
        return None
    match = _PATTERN.match(data)
    if match is None:
        return None
    nonce, index = int(match.group(1), 36), int(match.group(2), 36)
    if nonce >= NONCE_MODULUS:
        return None
    return nonce, index


def press(data: object) -> ev.Press:
    """The engine event for a button with callback ``data``.

    Anything forged or malformed becomes a press that cannot match: the engine re-draws the
    current screen with a note.
    """
    decoded = decode(data)
    nonce, index = decoded if decoded is not None else (-1, -1)
    return ev.Press(nonce, index)
