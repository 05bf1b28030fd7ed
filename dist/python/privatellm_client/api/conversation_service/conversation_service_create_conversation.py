from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.conversation import Conversation
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: Conversation,
    conversation_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["conversationId"] = conversation_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/conversations",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
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
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    conversation_id: str | Unset = UNSET,
) -> Response[Conversation | Status]:
    """Creates a conversation. With `conversationId` the client chooses its id;
     an id already taken answers ALREADY_EXISTS (6).

    Args:
        conversation_id (str | Unset):  Example: trip-to-lisbon.
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        body=body,
        conversation_id=conversation_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    conversation_id: str | Unset = UNSET,
) -> Conversation | Status | None:
    """Creates a conversation. With `conversationId` the client chooses its id;
     an id already taken answers ALREADY_EXISTS (6).

    Args:
        conversation_id (str | Unset):  Example: trip-to-lisbon.
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Conversation | Status
    """

    return sync_detailed(
        client=client,
        body=body,
        conversation_id=conversation_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    conversation_id: str | Unset = UNSET,
) -> Response[Conversation | Status]:
    """Creates a conversation. With `conversationId` the client chooses its id;
     an id already taken answers ALREADY_EXISTS (6).

    Args:
        conversation_id (str | Unset):  Example: trip-to-lisbon.
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        body=body,
        conversation_id=conversation_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    conversation_id: str | Unset = UNSET,
) -> Conversation | Status | None:
    """Creates a conversation. With `conversationId` the client chooses its id;
     an id already taken answers ALREADY_EXISTS (6).

    Args:
        conversation_id (str | Unset):  Example: trip-to-lisbon.
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Conversation | Status
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            conversation_id=conversation_id,
        )
    ).parsed
