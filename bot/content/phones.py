"""Phone numbers in content: validated and formatted with libphonenumber's data.

Content may hold international numbers (``+381 11 785 0000``), national numbers
(``0 800 77777``) and short numbers such as emergency numbers (``192``); each is checked for
the country whose file lists it.
"""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import shortnumberinfo

#: ``ZZ`` means "another country / not sure". libphonenumber knows no region ZZ, so only
#: international numbers and numbers that work across Europe can be listed there.
ANY_COUNTRY = "ZZ"
_PAN_EUROPEAN_SHORT_NUMBERS = frozenset({"112", "116000", "116006"})


def _compact(number: str) -> str:
    return "".join(ch for ch in number if ch not in " -().")


def _parse(compact: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None


def phone_problem(number: str, country: str) -> str | None:
    """Why ``number`` cannot be dialled in ``country``; ``None`` when it is valid."""
    compact = _compact(number)
    international = compact.startswith("+")
    if country == ANY_COUNTRY:
        if compact in _PAN_EUROPEAN_SHORT_NUMBERS:
            return None
        parsed = _parse(compact, None) if international else None
        if parsed is not None and phonenumbers.is_valid_number(parsed):
            return None
        return (
            f"invalid phone number {number!r} for 'another country' "
            "(expected an international number such as +43..., or 112)"
        )
    parsed = _parse(compact, country)
    if parsed is not None:
        if not international and shortnumberinfo.is_valid_short_number_for_region(parsed, country):
            return None
        # Some national short lines (BiH's SOS lines 1265/1264) are missing from the
        # short-number data's valid list; accept up to 4 digits of a possible length there.
        if (
            not international
            and len(compact) <= 4
            and shortnumberinfo.is_possible_short_number_for_region(parsed, country)
        ):
            return None
        if phonenumbers.is_valid_number_for_region(parsed, country):
            return None
        if international and phonenumbers.is_valid_number(parsed):
            return None  # a line abroad, e.g. a home-country hotline
    return (
        f"invalid phone number {number!r} for {country} (expected E.164 such as +381117850000, "
        "or a national or short number of that country)"
    )


# Screens show numbers on every update (Help now lists every country's), and parsing with
# libphonenumber costs tens of microseconds a number; the content holds a few hundred.
@functools.lru_cache(maxsize=4096)
def display_number(number: str, country: str) -> str:
    """The number formatted for reading and dialling.

    Short numbers stay as written; a number written with ``+`` is shown in international
    format, one written without it in the national format (free-phone numbers often work only
    that way).
    """
    compact = _compact(number)
    region = None if country == ANY_COUNTRY else country
    parsed = _parse(compact, region)
    if parsed is None or (
        not compact.startswith("+")
        and region is not None
        and shortnumberinfo.is_valid_short_number_for_region(parsed, region)
    ):
        return number.strip()
    if compact.startswith("+"):
        fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    else:
        fmt = phonenumbers.PhoneNumberFormat.NATIONAL
    return str(phonenumbers.format_number(parsed, fmt))
