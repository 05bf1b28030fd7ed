"""ApiKeyService: HTTP <-> domain.api_keys."""

from domain import api_keys, limits, views
from handlers._context import caller, services, user_filter
from handlers.api_types import (
    ApiKey,
    CreateApiKeyResponse,
    ListApiKeysResponse,
    RevokeApiKeyRequest,
)


async def create_api_key(body: ApiKey) -> CreateApiKeyResponse:
    # The key's `user` travels in the body, so Connexion's `user` context does not clash.
    row, secret = await api_keys.create_api_key(
        services(),
        caller(),
        display_name=body.get("displayName") or "",
        user=body.get("user") or "",
        role=body.get("role") or "",
        limits=limits.from_json(body.get("limits")),
    )
    return CreateApiKeyResponse(apiKey=views.api_key(row), secret=secret)


async def list_api_keys(page_size: int | None = None, page_token: str = "") -> ListApiKeysResponse:
    page = await api_keys.list_api_keys(
        services(), caller(), user=user_filter(), size=page_size, token=page_token or ""
    )
    return ListApiKeysResponse(
        apiKeys=[views.api_key(row) for row in page.items], nextPageToken=page.next_page_token
    )


async def update_api_key(api_key: str, body: ApiKey, update_mask: str = "") -> ApiKey:
    row = await api_keys.update_api_key(
        services(),
        caller(),
        api_key,
        body,
        update_mask=update_mask or "",
        etag=body.get("etag") or "",
    )
    return views.api_key(row)


async def revoke_api_key(api_key: str, body: RevokeApiKeyRequest) -> ApiKey:
    return views.api_key(await api_keys.revoke_api_key(services(), caller(), api_key))
