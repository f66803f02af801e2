from decimal import Decimal

import pytest

from intellipush_sms.tools.credits import InsufficientCredits, allocate, message_cost, to_credits


def test_norway_costs_one_over_point_nine_rounded_up():
    assert message_cost(1, 0.9) == Decimal("1.1112")
    assert message_cost(3, Decimal("0.9")) == Decimal("3.3334")
    assert message_cost(1, 0.46) == Decimal("2.1740")


def test_floats_from_numeric_columns_convert_exactly():
    assert to_credits(0.1) + to_credits(0.2) == Decimal("0.3000")
    assert sum((to_credits(1.1112) for _i in range(9)), Decimal(0)) == Decimal("10.0008")


def test_allocate_takes_lots_in_order():
    assert allocate(Decimal("5"), [("a", Decimal("3")), ("b", Decimal("10"))]) == [
        ("a", Decimal("3.0000")),
        ("b", Decimal("2.0000")),
    ]


def test_allocate_refuses_more_than_the_lots_hold():
    with pytest.raises(InsufficientCredits):
        allocate(Decimal("5"), [("a", Decimal("3"))])


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        message_cost(1, 0)
