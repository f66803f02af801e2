"""Numbers typed or pasted by a user: one per line, or separated by commas or
semicolons; normalised, invalid ones listed back, duplicates removed."""

import re

from .phone_numbers import InvalidPhoneNumber, normalize

_SEPARATORS = re.compile(r"[\n\r,;]+")


def parse_numbers(text, region, describe=None, mobile_only=True):
    """``(valid, invalid)``: valid as ``PhoneNumber`` in first-seen order
    without duplicates, invalid as ``(raw text, reason)``.

    ``describe(error)`` words the reason of an ``InvalidPhoneNumber`` (the
    Odoo side passes one that translates its ``code``); without it the
    reason is the English sentence. ``mobile_only`` as in ``normalize``."""
    valid, invalid, seen = [], [], set()
    for raw in (part.strip() for part in _SEPARATORS.split(text or "")):
        if not raw:
            continue
        try:
            number = normalize(raw, region, mobile_only=mobile_only)
        except InvalidPhoneNumber as error:
            invalid.append((raw, describe(error) if describe else error.reason))
            continue
        if number.e164 not in seen:
            seen.add(number.e164)
            valid.append(number)
    return valid, invalid
