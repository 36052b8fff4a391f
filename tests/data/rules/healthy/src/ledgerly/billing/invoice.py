from decimal import ROUND_HALF_EVEN, Decimal


def line_total(quantity: int, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
