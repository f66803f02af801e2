"""Phone numbers as a user reads them, in the user's language.

``tools/phone_numbers.py`` stays plain Python: it raises ``InvalidPhoneNumber``
with a stable ``code`` and formats numbers. This module is its Odoo side: the
reason of a code translated with ``env._``, and the one display format of a
number (international, grouped as written in its country) for every screen and
message of ours. What is stored (E.164) and sent to Intellipush is unchanged.
"""

from . import phone_numbers
from .phone_numbers import InvalidPhoneNumber, format_international


def number_problem(env, error):
    """Why a number cannot receive SMS, in ``env``'s language.

    ``error`` is an :class:`InvalidPhoneNumber`, one of its codes, or (from
    callers that kept it) its English ``reason``.
    """
    if isinstance(error, InvalidPhoneNumber):
        code = error.code
    else:
        english = {reason: code for code, reason in phone_numbers.REASONS.items()}
        code = english.get(error, error)
    problems = {
        phone_numbers.EMPTY: env._("no number"),
        phone_numbers.UNPARSABLE: env._("not a phone number"),
        phone_numbers.UNKNOWN_COUNTRY: env._("unknown country prefix"),
        phone_numbers.TOO_SHORT: env._("too few digits"),
        phone_numbers.TOO_LONG: env._("too many digits"),
        phone_numbers.WRONG_LENGTH: env._("wrong number of digits"),
        phone_numbers.IMPOSSIBLE: env._("impossible number"),
        phone_numbers.NOT_IN_PLAN: env._("no such number in its country"),
        phone_numbers.FIXED_LINE: env._("a landline number, which cannot receive SMS"),
    }
    return problems.get(code, error.reason if isinstance(error, InvalidPhoneNumber) else error)


def display_number(number, region=None):
    """``number`` (E.164 or as typed) in the one format people read."""
    return format_international(number, region or phone_numbers.DEFAULT_REGION)
