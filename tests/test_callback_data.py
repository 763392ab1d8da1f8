"""Property-based tests of the callback data codec."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import events as ev
from bot.engine.state import NONCE_MODULUS
from bot.telegram import callback_data
from bot.telegram.callback_data import INDEX_LIMIT, decode, encode

nonces = st.integers(min_value=0, max_value=NONCE_MODULUS - 1)
indexes = st.integers(min_value=0, max_value=INDEX_LIMIT - 1)


@given(nonces, indexes)
def test_encode_then_decode_is_identity(nonce: int, index: int) -> None:
    assert decode(encode(nonce, index)) == (nonce, index)


@given(nonces, indexes)
def test_encoded_data_fits_telegram_and_is_plain_ascii(nonce: int, index: int) -> None:
    data = encode(nonce, index)
    assert len(data.encode()) <= 64
    assert data.isascii() and data.startswith(f"{callback_data.VERSION}:")


@given(st.text(max_size=200))
def test_decoding_anything_never_raises(data: str) -> None:
    result = decode(data)
    if result is not None:
        # Only canonical encodings decode: re-encoding gives the same string back.
        assert encode(*result) == data


@given(st.binary(max_size=80))
def test_decoding_bytes_or_other_objects_is_none(data: bytes) -> None:
    assert decode(data) is None
    assert decode(None) is None
    assert decode(12) is None


@given(nonces, indexes, st.text(min_size=1, max_size=5))
def test_any_suffix_or_prefix_breaks_the_match(nonce: int, index: int, junk: str) -> None:
    data = encode(nonce, index)
    assert decode(data + ":" + junk) is None
    assert decode(junk + data) is None or junk + data == data


@pytest.mark.parametrize("data", [None, "", "v1:zz", "v2:1:1", "v1:1:1" + "x" * 70, 12])
def test_anything_not_ours_becomes_a_press_that_cannot_match(data: object) -> None:
    assert callback_data.press(data) == ev.Press(-1, -1)


def test_a_button_becomes_the_press_of_its_screen_and_index() -> None:
    assert callback_data.press(callback_data.encode(4242, 3)) == ev.Press(4242, 3)
