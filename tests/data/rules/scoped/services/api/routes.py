"""HTTP routes of the public API."""


def list_accounts(request):
    return {"accounts": []}


def get_account(request, account_id):
    return {"id": account_id}
