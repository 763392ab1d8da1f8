"""Phone numbers in content: validation for the listing country, and display."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.phones import ANY_COUNTRY, display_number, phone_problem

#: Countries the content covers or is likely to (see content/countries/).
REGIONS = ["RS", "HR", "BA", "MD", "AT", "FR", "ES", "NL"]


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("192", "RS"),  # police: a short number
        ("194", "RS"),  # ambulance
        ("112", "RS"),
        ("+381 11 785 0000", "RS"),  # E.164 with spaces
        ("+381117850000", "RS"),
        ("+381 (11) 785-0000", "RS"),
        ("011 785 0000", "RS"),  # national, with the trunk 0
        ("011/785-0000", "RS"),  # written the way Serbian sites often do
        ("(011) 785-0000", "RS"),
        ("0800 100 600", "RS"),  # free phone
        ("+381 60 1234567", "RS"),  # mobile
        ("  192  ", "RS"),
        ("+44 20 7946 0000", "RS"),  # a line abroad, e.g. a home-country hotline
        ("112", ANY_COUNTRY),
        ("116000", ANY_COUNTRY),  # missing children hotline, across Europe
        ("116 006", ANY_COUNTRY),  # victims of crime helpline
        ("+43 1 5321234", ANY_COUNTRY),
        ("+381 11 785 0000", ANY_COUNTRY),
        ("1265", "BA"),  # SOS line for victims of violence (FBiH): a possible short number
        ("1264", "BA"),  # SOS line for victims of violence (Republika Srpska)
    ],
)
def test_valid_numbers(number: str, country: str) -> None:
    assert phone_problem(number, country) is None


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("", "RS"),
        ("   ", "RS"),
        ("+", "RS"),
        ("abc", "RS"),
        ("12345", "RS"),  # neither a short nor a full number
        ("+381 785", "RS"),  # too short
        ("+999 123", "RS"),  # no such country code
        ("192", ANY_COUNTRY),  # a Serbian short number means nothing elsewhere
        ("0800 100 600", ANY_COUNTRY),  # national numbers need a country
        ("+381 785", ANY_COUNTRY),
    ],
)
def test_invalid_numbers(number: str, country: str) -> None:
    problem = phone_problem(number, country)
    assert problem is not None
    assert repr(number) in problem


def test_problem_messages_say_what_is_expected() -> None:
    assert phone_problem("12345", "RS") == (
        "invalid phone number '12345' for RS (expected E.164 such as +381117850000, "
        "or a national or short number of that country)"
    )
    assert phone_problem("192", ANY_COUNTRY) == (
        "invalid phone number '192' for 'another country' "
        "(expected an international number such as +43..., or 112)"
    )


@pytest.mark.parametrize(
    ("number", "country", "shown"),
    [
        ("192", "RS", "192"),  # short numbers stay as written
        (" 192 ", "RS", "192"),
        ("116 006", ANY_COUNTRY, "116 006"),
        ("112", ANY_COUNTRY, "112"),
        ("+381117850000", "RS", "+381 11 7850000"),  # written with +: international
        ("+381 11 785 0000", ANY_COUNTRY, "+381 11 7850000"),
        ("011/785-0000", "RS", "011 7850000"),  # written without +: national
        ("0800 100 600", "RS", "0800 100600"),
        ("+44 20 7946 0000", "RS", "+44 20 7946 0000"),
        ("not a number", "RS", "not a number"),  # unparsable: as written
    ],
)
def test_display_number(number: str, country: str, shown: str) -> None:
    assert display_number(number, country) == shown


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(
    "number_type", [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]
)
def test_every_format_of_a_real_number_is_accepted(region: str, number_type: int) -> None:
    example = phonenumbers.example_number_for_type(region, number_type)
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    for written in (e164, international, national):
        assert phone_problem(written, region) is None, written
    for written in (e164, international):
        assert phone_problem(written, ANY_COUNTRY) is None, written
        assert display_number(written, region) == international
    assert display_number(national, region) == national
    # A national number only means something in its own country.
    other = "AT" if region != "AT" else "FR"
    assert phone_problem(national, ANY_COUNTRY) is not None
    assert phone_problem(e164, other) is None  # but a full number may be listed anywhere


@given(number=st.text(max_size=40), country=st.sampled_from([*REGIONS, ANY_COUNTRY]))
def test_never_raises(number: str, country: str) -> None:
    problem = phone_problem(number, country)
    assert problem is None or problem.startswith("invalid phone number")
    assert isinstance(display_number(number, country), str)


@given(
    digits=st.text(alphabet="0123456789", min_size=1, max_size=15),
    country=st.sampled_from(REGIONS),
)
def test_spaces_and_dashes_do_not_change_the_verdict(digits: str, country: str) -> None:
    spaced = " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    dashed = spaced.replace(" ", "-")
    verdict = phone_problem(digits, country) is None
    assert (phone_problem(spaced, country) is None) == verdict
    assert (phone_problem(dashed, country) is None) == verdict
