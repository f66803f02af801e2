import phonenumbers
import pytest

from intellipush_sms.tools import phone_numbers
from intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, format_international, normalize
from intellipush_sms.tools.recipients import parse_numbers


@pytest.mark.parametrize(
    ("raw", "region", "e164", "countrycode", "national"),
    [
        ("412 34 567", "NO", "+4741234567", "0047", "41234567"),
        ("+47 412 34 567", "SE", "+4741234567", "0047", "41234567"),
        ("0047 41234567", "NO", "+4741234567", "0047", "41234567"),
        ("070-123 45 67", "SE", "+46701234567", "0046", "701234567"),
        ("+39 312 345 6789", "NO", "+393123456789", "0039", "3123456789"),
        ("41234567", None, "+4741234567", "0047", "41234567"),
    ],
)
def test_normalize(raw, region, e164, countrycode, national):
    number = normalize(raw, region)
    assert number.e164 == e164
    assert number.intellipush_countrycode == countrycode
    assert number.national_number == national


def test_a_landline_allowed_keeps_its_national_zero():
    """Italian landlines keep the 0 in the national number Intellipush receives."""
    number = normalize("+39 06 1234 5678", "NO", mobile_only=False)
    assert (number.e164, number.intellipush_countrycode, number.national_number) == (
        "+390612345678",
        "0039",
        "0612345678",
    )


# What phonenumbers says of Nordic and UK numbers, and so what mobile_only does.
@pytest.mark.parametrize(
    ("raw", "region", "number_type", "refused"),
    [
        ("+47 412 34 567", "NO", phonenumbers.PhoneNumberType.MOBILE, False),
        ("+47 912 34 567", "NO", phonenumbers.PhoneNumberType.MOBILE, False),
        ("+47 22 12 34 56", "NO", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # Oslo
        ("55 12 34 56", "NO", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # Bergen, no prefix
        ("+47 850 12 345", "NO", phonenumbers.PhoneNumberType.VOIP, False),
        ("+46 70 123 45 67", "SE", phonenumbers.PhoneNumberType.MOBILE, False),
        ("08-123 456 78", "SE", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # Stockholm
        ("+46 31 345 67 89", "SE", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # Gothenburg
        # Danish numbers do not tell landlines from mobiles: all may receive.
        ("+45 20 12 34 56", "DK", phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, False),
        ("+45 32 12 34 56", "DK", phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, False),
        ("+44 7911 123456", "GB", phonenumbers.PhoneNumberType.MOBILE, False),
        ("+44 20 7183 8750", "GB", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # London
        ("+44 121 234 5678", "GB", phonenumbers.PhoneNumberType.FIXED_LINE, True),  # Birmingham
        ("+44 56 1234 5678", "GB", phonenumbers.PhoneNumberType.VOIP, False),
        ("+1 201 555 0123", "US", phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, False),
    ],
)
def test_only_fixed_lines_are_refused(raw, region, number_type, refused):
    assert phonenumbers.number_type(phonenumbers.parse(raw, region)) == number_type
    assert normalize(raw, region, mobile_only=False).e164
    if refused:
        with pytest.raises(InvalidPhoneNumber) as caught:
            normalize(raw, region)
        assert caught.value.code == phone_numbers.FIXED_LINE
        assert caught.value.reason == "a landline number, which cannot receive SMS"
    else:
        assert normalize(raw, region).e164 == normalize(raw, region, mobile_only=False).e164


def test_the_landline_check_comes_after_validity():
    """An invalid number says what is wrong with it, not that it is a landline."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize("+47 22 12 34", "NO")
    assert caught.value.code == phone_numbers.WRONG_LENGTH


def test_typed_numbers_list_landlines_with_the_reason():
    valid, invalid = parse_numbers("412 34 567, 22 12 34 56", "NO")
    assert [number.e164 for number in valid] == ["+4741234567"]
    assert invalid == [("22 12 34 56", "a landline number, which cannot receive SMS")]
    valid, invalid = parse_numbers("412 34 567, 22 12 34 56", "NO", mobile_only=False)
    assert [number.e164 for number in valid] == ["+4741234567", "+4722123456"]
    assert invalid == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "no number"),
        (None, "no number"),
        ("123", "too few digits"),
        ("hello", "not a phone number"),
        ("+47 4123456789012", "too many digits"),
        ("+999 1234567", "not a phone number"),
    ],
)
def test_invalid_numbers_say_why(raw, reason):
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize(raw, "NO")
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", phone_numbers.EMPTY),
        ("abc123", phone_numbers.TOO_SHORT),
        ("4", phone_numbers.UNPARSABLE),
        ("hello", phone_numbers.UNPARSABLE),
        ("+47 4123456789012", phone_numbers.TOO_LONG),
        ("+47 0123 4567", phone_numbers.NOT_IN_PLAN),
    ],
)
def test_invalid_numbers_carry_a_stable_code(raw, code):
    """The Odoo side translates the code; the English sentence stays for logs."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize(raw, "NO")
    assert caught.value.code == code
    assert caught.value.reason == phone_numbers.REASONS[code]


def test_every_code_has_an_english_sentence():
    codes = {value for name, value in vars(phone_numbers).items() if name.isupper() and isinstance(value, str)}
    codes -= {phone_numbers.DEFAULT_REGION}
    assert codes == set(phone_numbers.REASONS)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        # Norwegian mobiles 3-2-3, as Norwegians write them, however typed or stored.
        ("+4741234567", "+47 412 34 567"),
        ("0047 45 67 89 01", "+47 456 78 901"),
        ("+47 98 76 54 32", "+47 987 65 432"),
        ("934 56 789", "+47 934 56 789"),
        # Landlines and other countries keep their own grouping.
        ("+4722123456", "+47 22 12 34 56"),
        ("+46701234567", "+46 70 123 45 67"),
        ("+390612345678", "+39 06 1234 5678"),
        # Nothing to format: shown as it was.
        ("123", "123"),
        ("abc", "abc"),
        ("", ""),
        (None, ""),
    ],
)
def test_format_international(raw, shown):
    assert format_international(raw) == shown


def test_format_international_is_display_only():
    """The stored and sent forms are untouched: E.164 and the Intellipush pair."""
    number = normalize(format_international("+4741234567"), "NO")
    assert (number.e164, number.intellipush_countrycode, number.national_number) == ("+4741234567", "0047", "41234567")


def test_format_international_uses_the_region_for_numbers_without_prefix():
    assert format_international("070-123 45 67", "SE") == "+46 70 123 45 67"
