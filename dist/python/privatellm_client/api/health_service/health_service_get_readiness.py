from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.health_status import HealthStatus
from ...models.status import Status
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/readyz",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HealthStatus | Status:
    if response.status_code == 200:
        response_200 = HealthStatus.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[HealthStatus | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[HealthStatus | Status]:
    """Answers when this process can serve: its database answers, the limits'
     shared counters (Redis) answer when the limits count there and fail
     closed, and it is not draining (a graceful stop). Otherwise UNAVAILABLE
     (14), with the failed checks in the message. Providers are listed as
     `provider:<name>` checks as their background health checks last saw
     them; a provider that is down does not fail readiness, nor do counters
     that cannot be reached when the limits fail open (the `limits` check).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HealthStatus | Status]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> HealthStatus | Status | None:
    """Answers when this process can serve: its database answers, the limits'
     shared counters (Redis) answer when the limits count there and fail
     closed, and it is not draining (a graceful stop). Otherwise UNAVAILABLE
     (14), with the failed checks in the message. Providers are listed as
     `provider:<name>` checks as their background health checks last saw
     them; a provider that is down does not fail readiness, nor do counters
     that cannot be reached when the limits fail open (the `limits` check).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HealthStatus | Status
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[HealthStatus | Status]:
    """Answers when this process can serve: its database answers, the limits'
     shared counters (Redis) answer when the limits count there and fail
     closed, and it is not draining (a graceful stop). Otherwise UNAVAILABLE
     (14), with the failed checks in the message. Providers are listed as
     `provider:<name>` checks as their background health checks last saw
     them; a provider that is down does not fail readiness, nor do counters
     that cannot be reached when the limits fail open (the `limits` check).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HealthStatus | Status]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> HealthStatus | Status | None:
    """Answers when this process can serve: its database answers, the limits'
     shared counters (Redis) answer when the limits count there and fail
     closed, and it is not draining (a graceful stop). Otherwise UNAVAILABLE
     (14), with the failed checks in the message. Providers are listed as
     `provider:<name>` checks as their background health checks last saw
     them; a provider that is down does not fail readiness, nor do counters
     that cannot be reached when the limits fail open (the `limits` check).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HealthStatus | Status
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
