from fastapi import APIRouter

router = APIRouter()


@router.get("/invoices")
def list_invoices(cursor: str | None = None, limit: int = 50) -> list[dict]:
    return []
