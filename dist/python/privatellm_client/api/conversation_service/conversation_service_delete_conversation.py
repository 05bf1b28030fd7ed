from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    conversation: str,
    *,
    etag: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["etag"] = etag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/conversations/{conversation}".format(
            conversation=quote(str(conversation), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Status:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Status]:
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
    etag: str | Unset = UNSET,
) -> Response[Any | Status]:
    """Deletes a conversation and all its messages. With `etag`, only if it is current.

    Args:
        conversation (str):
        etag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        etag=etag,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    etag: str | Unset = UNSET,
) -> Any | Status | None:
    """Deletes a conversation and all its messages. With `etag`, only if it is current.

    Args:
        conversation (str):
        etag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Status
    """

    return sync_detailed(
        conversation=conversation,
        client=client,
        etag=etag,
    ).parsed


async def asyncio_detailed(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    etag: str | Unset = UNSET,
) -> Response[Any | Status]:
    """Deletes a conversation and all its messages. With `etag`, only if it is current.

    Args:
        conversation (str):
        etag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Status]
    """

    kwargs = _get_kwargs(
        conversation=conversation,
        etag=etag,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    conversation: str,
    *,
    client: AuthenticatedClient | Client,
    etag: str | Unset = UNSET,
) -> Any | Status | None:
    """Deletes a conversation and all its messages. With `etag`, only if it is current.

    Args:
        conversation (str):
        etag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Status
    """

    return (
        await asyncio_detailed(
            conversation=conversation,
            client=client,
            etag=etag,
        )
    ).parsed
