from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_key import ApiKey
from ...models.revoke_api_key_request import RevokeApiKeyRequest
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    api_key: str,
    *,
    body: RevokeApiKeyRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/apiKeys/{api_key}:revoke".format(
            api_key=quote(str(api_key), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ApiKey | Status:
    if response.status_code == 200:
        response_200 = ApiKey.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ApiKey | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: RevokeApiKeyRequest,
) -> Response[ApiKey | Status]:
    """Revokes a key; requests with it fail with UNAUTHENTICATED (16) from the
     next request on. Revoking a revoked key changes nothing.

    Args:
        api_key (str):
        body (RevokeApiKeyRequest): Request for ApiKeyService.RevokeApiKey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: RevokeApiKeyRequest,
) -> ApiKey | Status | None:
    """Revokes a key; requests with it fail with UNAUTHENTICATED (16) from the
     next request on. Revoking a revoked key changes nothing.

    Args:
        api_key (str):
        body (RevokeApiKeyRequest): Request for ApiKeyService.RevokeApiKey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKey | Status
    """

    return sync_detailed(
        api_key=api_key,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: RevokeApiKeyRequest,
) -> Response[ApiKey | Status]:
    """Revokes a key; requests with it fail with UNAUTHENTICATED (16) from the
     next request on. Revoking a revoked key changes nothing.

    Args:
        api_key (str):
        body (RevokeApiKeyRequest): Request for ApiKeyService.RevokeApiKey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: RevokeApiKeyRequest,
) -> ApiKey | Status | None:
    """Revokes a key; requests with it fail with UNAUTHENTICATED (16) from the
     next request on. Revoking a revoked key changes nothing.

    Args:
        api_key (str):
        body (RevokeApiKeyRequest): Request for ApiKeyService.RevokeApiKey.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKey | Status
    """

    return (
        await asyncio_detailed(
            api_key=api_key,
            client=client,
            body=body,
        )
    ).parsed
