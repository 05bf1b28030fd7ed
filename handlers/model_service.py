"""ModelService: the catalog from config (no database)."""

from typing import Any

from domain import catalog, views
from handlers._context import services


async def list_models() -> dict[str, Any]:
    entries = catalog.list_models(services().providers)
    return {"models": [views.model(entry) for entry in entries]}


async def get_model(model: str) -> dict[str, Any]:
    return views.model(catalog.get_model(services().providers, model))
