from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_key import ApiKey
from ...models.create_api_key_response import CreateApiKeyResponse
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    *,
    body: ApiKey,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/apiKeys",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CreateApiKeyResponse | Status:
    if response.status_code == 200:
        response_200 = CreateApiKeyResponse.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateApiKeyResponse | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
) -> Response[CreateApiKeyResponse | Status]:
    """Creates a key and returns its secret, once. A user creates keys for
     themselves with role USER; creating an ADMIN key or a key for another
     user needs an admin (PERMISSION_DENIED (7) otherwise).

    Args:
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateApiKeyResponse | Status]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
) -> CreateApiKeyResponse | Status | None:
    """Creates a key and returns its secret, once. A user creates keys for
     themselves with role USER; creating an ADMIN key or a key for another
     user needs an admin (PERMISSION_DENIED (7) otherwise).

    Args:
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateApiKeyResponse | Status
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
) -> Response[CreateApiKeyResponse | Status]:
    """Creates a key and returns its secret, once. A user creates keys for
     themselves with role USER; creating an ADMIN key or a key for another
     user needs an admin (PERMISSION_DENIED (7) otherwise).

    Args:
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateApiKeyResponse | Status]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
) -> CreateApiKeyResponse | Status | None:
    """Creates a key and returns its secret, once. A user creates keys for
     themselves with role USER; creating an ADMIN key or a key for another
     user needs an admin (PERMISSION_DENIED (7) otherwise).

    Args:
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateApiKeyResponse | Status
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
