from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.quota_error import QuotaError
from ...models.send_message_request import SendMessageRequest
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    conversation: str,
    *,
    body: SendMessageRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/conversations/{conversation}/messages:stream".format(
            conversation=quote(str(conversation), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> QuotaError | Status | str:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 429:
        response_429 = QuotaError.from_dict(response.json())

        return response_429

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[QuotaError | Status | str]:
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
    body: SendMessageRequest,
) -> Response[QuotaError | Status | str]:
    """Sends a user message and streams the answer as Server-Sent Events: one
     `userMessage` event (the stored user message), `delta` events with the
     answer's text as it is generated, then one `assistantMessage` event (the
     stored answer with its usage). A failure after the stream started ends it
     with an `error` event carrying the error envelope. A client that
     disconnects stops the generation; the partial answer is kept as CANCELLED.

    Args:
        conversation (str):
        body (SendMessageRequest): Request for MessageService.SendMessage and
            MessageService.StreamMessage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[QuotaError | Status | str]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> QuotaError | Status | str | None:
    """Sends a user message and streams the answer as Server-Sent Events: one
     `userMessage` event (the stored user message), `delta` events with the
     answer's text as it is generated, then one `assistantMessage` event (the
     stored answer with its usage). A failure after the stream started ends it
     with an `error` event carrying the error envelope. A client that
     disconnects stops the generation; the partial answer is kept as CANCELLED.

    Args:
        conversation (str):
        body (SendMessageRequest): Request for MessageService.SendMessage and
            MessageService.StreamMessage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        QuotaError | Status | str
    """

    return sync_detailed(
        conversation=conversation,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> Response[QuotaError | Status | str]:
    """Sends a user message and streams the answer as Server-Sent Events: one
     `userMessage` event (the stored user message), `delta` events with the
     answer's text as it is generated, then one `assistantMessage` event (the
     stored answer with its usage). A failure after the stream started ends it
     with an `error` event carrying the error envelope. A client that
     disconnects stops the generation; the partial answer is kept as CANCELLED.

    Args:
        conversation (str):
        body (SendMessageRequest): Request for MessageService.SendMessage and
            MessageService.StreamMessage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[QuotaError | Status | str]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    body: SendMessageRequest,
) -> QuotaError | Status | str | None:
    """Sends a user message and streams the answer as Server-Sent Events: one
     `userMessage` event (the stored user message), `delta` events with the
     answer's text as it is generated, then one `assistantMessage` event (the
     stored answer with its usage). A failure after the stream started ends it
     with an `error` event carrying the error envelope. A client that
     disconnects stops the generation; the partial answer is kept as CANCELLED.

    Args:
        conversation (str):
        body (SendMessageRequest): Request for MessageService.SendMessage and
            MessageService.StreamMessage.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        QuotaError | Status | str
    """

    return (
        await asyncio_detailed(
            conversation=conversation,
            client=client,
            body=body,
        )
    ).parsed
