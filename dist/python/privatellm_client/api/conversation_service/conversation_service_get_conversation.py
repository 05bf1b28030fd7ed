from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.conversation import Conversation
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    conversation: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/conversations/{conversation}".format(
            conversation=quote(str(conversation), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Conversation | Status:
    if response.status_code == 200:
        response_200 = Conversation.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Conversation | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Conversation | Status]:
    """Gets one of the caller's conversations.

    Args:
        conversation (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
) -> Conversation | Status | None:
    """Gets one of the caller's conversations.

    Args:
        conversation (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Conversation | Status
    """

    return sync_detailed(
        conversation=conversation,
        client=client,
    ).parsed


async def asyncio_detailed(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Conversation | Status]:
    """Gets one of the caller's conversations.

    Args:
        conversation (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
) -> Conversation | Status | None:
    """Gets one of the caller's conversations.

    Args:
        conversation (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Conversation | Status
    """

    return (
        await asyncio_detailed(
            conversation=conversation,
            client=client,
        )
    ).parsed
