import pytest

from intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize


@pytest.mark.parametrize(
    ("raw", "region", "e164", "countrycode", "national"),
    [
        ("412 34 567", "NO", "+4741234567", "0047", "41234567"),
        ("+47 412 34 567", "SE", "+4741234567", "0047", "41234567"),
        ("0047 41234567", "NO", "+4741234567", "0047", "41234567"),
        ("070-123 45 67", "SE", "+46701234567", "0046", "701234567"),
        ("+39 06 1234 5678", "NO", "+390612345678", "0039", "0612345678"),
        ("41234567", None, "+4741234567", "0047", "41234567"),
    ],
)
def test_normalize(raw, region, e164, countrycode, national):
    number = normalize(raw, region)
    assert number.e164 == e164
    assert number.intellipush_countrycode == countrycode
    assert number.national_number == national


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
