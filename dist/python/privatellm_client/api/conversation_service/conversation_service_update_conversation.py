from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.conversation import Conversation
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    conversation: str,
    *,
    body: Conversation,
    update_mask: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["updateMask"] = update_mask

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/conversations/{conversation}".format(
            conversation=quote(str(conversation), safe=""),
        ),
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
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    update_mask: str | Unset = UNSET,
) -> Response[Conversation | Status]:
    """Updates the fields of a conversation named in `updateMask` (all mutable
     fields when it is empty). When the body carries an `etag` that is not the
     current one, answers ABORTED (10) and changes nothing.

    Args:
        conversation (str):
        update_mask (str | Unset):
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        body=body,
        update_mask=update_mask,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    update_mask: str | Unset = UNSET,
) -> Conversation | Status | None:
    """Updates the fields of a conversation named in `updateMask` (all mutable
     fields when it is empty). When the body carries an `etag` that is not the
     current one, answers ABORTED (10) and changes nothing.

    Args:
        conversation (str):
        update_mask (str | Unset):
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Conversation | Status
    """

    return sync_detailed(
        conversation=conversation,
        client=client,
        body=body,
        update_mask=update_mask,
    ).parsed


async def asyncio_detailed(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    update_mask: str | Unset = UNSET,
) -> Response[Conversation | Status]:
    """Updates the fields of a conversation named in `updateMask` (all mutable
     fields when it is empty). When the body carries an `etag` that is not the
     current one, answers ABORTED (10) and changes nothing.

    Args:
        conversation (str):
        update_mask (str | Unset):
        body (Conversation): A conversation: settings shared by its messages, and their thread.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Conversation | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        body=body,
        update_mask=update_mask,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: Conversation,
    update_mask: str | Unset = UNSET,
) -> Conversation | Status | None:
    """Updates the fields of a conversation named in `updateMask` (all mutable
     fields when it is empty). When the body carries an `etag` that is not the
     current one, answers ABORTED (10) and changes nothing.

    Args:
        conversation (str):
        update_mask (str | Unset):
        body (Conversation): A conversation: settings shared by its messages, and their thread.

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
            body=body,
            update_mask=update_mask,
        )
    ).parsed
