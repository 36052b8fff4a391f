"""The ledger: postings and balances."""


def balance(postings):
    return sum(p.amount for p in postings)
