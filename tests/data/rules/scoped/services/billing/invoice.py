"""Invoices and their totals."""

from decimal import Decimal


class InvoiceTotal:
    """The total of an invoice's lines, in the invoice currency."""

    def __init__(self, lines: list[Decimal]) -> None:
        self.lines = lines

    def amount(self) -> Decimal:
        return sum(self.lines, Decimal(0))
