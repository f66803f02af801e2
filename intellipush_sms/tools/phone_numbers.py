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


# Why a number cannot receive SMS: a stable code (for code and for the Odoo
# side, which shows it translated) and its English sentence.
EMPTY = "empty"
UNPARSABLE = "unparsable"
UNKNOWN_COUNTRY = "unknown_country"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
WRONG_LENGTH = "wrong_length"
IMPOSSIBLE = "impossible"
NOT_IN_PLAN = "not_in_plan"
FIXED_LINE = "fixed_line"

REASONS = {
    EMPTY: "no number",
    UNPARSABLE: "not a phone number",
    UNKNOWN_COUNTRY: "unknown country prefix",
    TOO_SHORT: "too few digits",
    TOO_LONG: "too many digits",
    WRONG_LENGTH: "wrong number of digits",
    IMPOSSIBLE: "impossible number",
    NOT_IN_PLAN: "no such number in its country's numbering plan",
    FIXED_LINE: "a landline number, which cannot receive SMS",
}


class InvalidPhoneNumber(ValueError):
    """A number that cannot receive an SMS.

    ``code`` is one of the keys of :data:`REASONS`, stable for callers that
    show the reason in the user's language; ``reason`` is its English text.
    """

    def __init__(self, number, code):
        self.number = number
        self.code = code
        self.reason = REASONS[code]
        super().__init__(f"{number!r}: {self.reason}")


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+4741234567"
    country_code: int  # 47
    national_number: str  # "41234567"
    region: str | None  # "NO"

    @property
    def intellipush_countrycode(self):
        return f"00{self.country_code}"


_IMPOSSIBLE_CODES = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: UNKNOWN_COUNTRY,
    phonenumbers.ValidationResult.TOO_SHORT: TOO_SHORT,
    phonenumbers.ValidationResult.TOO_LONG: TOO_LONG,
    phonenumbers.ValidationResult.INVALID_LENGTH: WRONG_LENGTH,
}


# Refused when only mobiles may receive: the numbering plan reserves these
# for landlines. FIXED_LINE_OR_MOBILE (Denmark, the US: the plan cannot tell)
# passes, and so do VoIP, personal, pager, toll-free, UAN and unknown types:
# some of them receive SMS, and Intellipush reports those it cannot deliver.
LANDLINE_TYPES = frozenset({phonenumbers.PhoneNumberType.FIXED_LINE})


def normalize(number, default_region=DEFAULT_REGION, mobile_only=True):
    """Parse ``number`` into a :class:`PhoneNumber`, or raise InvalidPhoneNumber.

    ``default_region`` (ISO 3166 alpha-2) applies to numbers written without
    an international prefix; ``00`` prefixes are accepted like ``+``.
    ``mobile_only`` refuses landlines (:data:`LANDLINE_TYPES`), which cannot
    receive SMS; pass False to identify a number rather than to send to it
    (the blacklist, inbound senders), or where the company's operators read
    SMS to landlines aloud.
    """
    raw = (number or "").strip()
    if not raw:
        raise InvalidPhoneNumber(number, EMPTY)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, (default_region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(number, UNPARSABLE) from error
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible not in (
        phonenumbers.ValidationResult.IS_POSSIBLE,
        phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ):
        raise InvalidPhoneNumber(number, _IMPOSSIBLE_CODES.get(possible, IMPOSSIBLE))
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(number, NOT_IN_PLAN)
    if mobile_only and phonenumbers.number_type(parsed) in LANDLINE_TYPES:
        raise InvalidPhoneNumber(number, FIXED_LINE)
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        country_code=parsed.country_code,
        national_number=phonenumbers.national_significant_number(parsed),
        region=phonenumbers.region_code_for_number(parsed),
    )


def format_international(number, default_region=DEFAULT_REGION):
    """``number`` as people read it: international and grouped as written in
    its country (``"+4741234567"`` -> ``"+47 412 34 567"``, ``"+4722123456"``
    -> ``"+47 22 12 34 56"``, ``"+46701234567"`` -> ``"+46 70 123 45 67"``).
    ``default_region`` applies to numbers written without a prefix.

    For display only: what is stored and sent stays E.164. A number that
    cannot be parsed is returned as it was, an empty one as ``""``.
    """
    raw = (number or "").strip()
    if not raw:
        return ""
    candidate = "+" + raw[2:] if raw.startswith("00") else raw
    try:
        parsed = phonenumbers.parse(candidate, (default_region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(parsed):
        return raw
    national = phonenumbers.national_significant_number(parsed)
    if (
        parsed.country_code == 47
        and len(national) == 8
        and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    ):
        # libphonenumber groups every Norwegian number 2-2-2-2; Norwegians
        # write mobile numbers 3-2-3 (Nkom), landlines stay 2-2-2-2.
        return f"+47 {national[:3]} {national[3:5]} {national[5:]}"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
