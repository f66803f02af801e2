"""Exact credit arithmetic for the prepaid wallet.

Credits are kept as :class:`~decimal.Decimal` with four decimals, the
precision of the ``numeric`` columns that store them: binary floats never
enter a sum. Plain Python, no Odoo import.
"""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CREDIT_PLACES = Decimal("0.0001")
ZERO = Decimal("0.0000")


def to_credits(value):
    """Decimal credits from a Decimal, int, str or a float read from a numeric(…, 4) column.

    ``str()`` of such a float gives back the stored digits exactly, so the
    conversion goes through text, never through the float's binary value.
    """
    if value is None or value is False:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CREDIT_PLACES, rounding=ROUND_HALF_UP)


def message_cost(segments, sms_per_credit):
    """Credits for one message of ``segments`` segments to a destination
    where one credit buys ``sms_per_credit`` SMS; rounded up to 0.0001 so
    the wallet never undercharges."""
    rate = to_credits(sms_per_credit)
    if rate <= 0:
        raise ValueError("sms_per_credit must be positive")
    return (Decimal(int(segments)) / rate).quantize(CREDIT_PLACES, rounding=ROUND_CEILING)


def allocate(amount, lots):
    """Split ``amount`` over ``lots`` ([(lot, remaining)], in consumption order).

    Returns [(lot, taken)] covering the whole amount, or raises
    InsufficientCredits when the lots hold less than that.
    """
    amount = to_credits(amount)
    allocation = []
    still_needed = amount
    for lot, remaining in lots:
        if still_needed <= 0:
            break
        taken = min(to_credits(remaining), still_needed)
        if taken > 0:
            allocation.append((lot, taken))
            still_needed -= taken
    if still_needed > 0:
        raise InsufficientCredits(amount, amount - still_needed)
    return allocation


class InsufficientCredits(Exception):
    def __init__(self, needed, available):
        self.needed = needed
        self.available = available
        super().__init__(f"{needed} credits needed, {available} available")
