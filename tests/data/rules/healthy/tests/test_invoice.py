from decimal import Decimal

from ledgerly.billing.invoice import line_total


def test_line_total() -> None:
    assert line_total(3, Decimal("0.335")) == Decimal("1.00")
