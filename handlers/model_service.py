"""ModelService: the catalog from config (no database)."""

from domain import catalog, views
from handlers._context import services
from handlers.api_types import ListModelsResponse
from handlers.api_types import ModelModel as Model  # the spec's Model (domain.views)


async def list_models() -> ListModelsResponse:
    entries = catalog.list_models(services().providers)
    return ListModelsResponse(models=[views.model(entry) for entry in entries])


async def get_model(model: str) -> Model:
    return views.model(catalog.get_model(services().providers, model))
