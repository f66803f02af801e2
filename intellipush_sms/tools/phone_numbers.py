"""Phone number normalisation for Intellipush.

Intellipush wants a destination as two fields: ``countrycode`` written with
the international prefix (``"0047"``) and the national ``phonenumber``
(``"41234567"``). Odoo stores numbers however people typed them, so every
number goes through :func:`normalize` before dispatch. Plain Python: no Odoo
import, so the sandbox, the benchmarks and the pure tests can use it too.
"""

from dataclasses import dataclass

import phonenumbers

DEFAULT_REGION = "NO"


class InvalidPhoneNumber(ValueError):
    """A number that cannot receive an SMS; ``str()`` is a sentence for users."""

    def __init__(self, number, reason):
        self.number = number
        self.reason = reason
        super().__init__(f"{number!r}: {reason}")


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+4741234567"
    country_code: int  # 47
    national_number: str  # "41234567"
    region: str | None  # "NO"

    @property
    def intellipush_countrycode(self):
        return f"00{self.country_code}"


_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country prefix",
    phonenumbers.ValidationResult.TOO_SHORT: "too few digits",
    phonenumbers.ValidationResult.TOO_LONG: "too many digits",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong number of digits",
}


def normalize(number, default_region=DEFAULT_REGION):
    """Parse ``number`` into a :class:`PhoneNumber`, or raise InvalidPhoneNumber.

    ``default_region`` (ISO 3166 alpha-2) applies to numbers written without
    an international prefix; ``00`` prefixes are accepted like ``+``.
    """
    raw = (number or "").strip()
    if not raw:
        raise InvalidPhoneNumber(number, "no number")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, (default_region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(number, "not a phone number") from error
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible not in (
        phonenumbers.ValidationResult.IS_POSSIBLE,
        phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ):
        raise InvalidPhoneNumber(number, _REASONS.get(possible, "impossible number"))
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(number, "no such number in its country's numbering plan")
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        country_code=parsed.country_code,
        national_number=phonenumbers.national_significant_number(parsed),
        region=phonenumbers.region_code_for_number(parsed),
    )
