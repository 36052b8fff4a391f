class Invoice:
    """An issued invoice."""
