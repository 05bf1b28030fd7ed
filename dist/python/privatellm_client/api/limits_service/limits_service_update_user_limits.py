from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.status import Status
from ...models.user_limits import UserLimits
from ...types import UNSET, Response, Unset


def _get_kwargs(
    user: str,
    *,
    body: UserLimits,
    update_mask: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["updateMask"] = update_mask

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/users/{user}/limits".format(
            user=quote(str(user), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Status | UserLimits:
    if response.status_code == 200:
        response_200 = UserLimits.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Status | UserLimits]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    user: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserLimits,
    update_mask: str | Unset = UNSET,
) -> Response[Status | UserLimits]:
    """Sets the fields of a user's limits named in `updateMask` (admins only).
     With an `etag` that is not the current one, answers ABORTED (10).

    Args:
        user (str):
        update_mask (str | Unset):
        body (UserLimits): The limits of one user: all of its keys together.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Status | UserLimits]
    """

    kwargs = _get_kwargs(
        user=user,
        body=body,
        update_mask=update_mask,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    user: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserLimits,
    update_mask: str | Unset = UNSET,
) -> Status | UserLimits | None:
    """Sets the fields of a user's limits named in `updateMask` (admins only).
     With an `etag` that is not the current one, answers ABORTED (10).

    Args:
        user (str):
        update_mask (str | Unset):
        body (UserLimits): The limits of one user: all of its keys together.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Status | UserLimits
    """

    return sync_detailed(
        user=user,
        client=client,
        body=body,
        update_mask=update_mask,
    ).parsed


async def asyncio_detailed(
    user: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserLimits,
    update_mask: str | Unset = UNSET,
) -> Response[Status | UserLimits]:
    """Sets the fields of a user's limits named in `updateMask` (admins only).
     With an `etag` that is not the current one, answers ABORTED (10).

    Args:
        user (str):
        update_mask (str | Unset):
        body (UserLimits): The limits of one user: all of its keys together.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Status | UserLimits]
    """

    kwargs = _get_kwargs(
        user=user,
        body=body,
        update_mask=update_mask,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    user: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserLimits,
    update_mask: str | Unset = UNSET,
) -> Status | UserLimits | None:
    """Sets the fields of a user's limits named in `updateMask` (admins only).
     With an `etag` that is not the current one, answers ABORTED (10).

    Args:
        user (str):
        update_mask (str | Unset):
        body (UserLimits): The limits of one user: all of its keys together.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Status | UserLimits
    """

    return (
        await asyncio_detailed(
            user=user,
            client=client,
            body=body,
            update_mask=update_mask,
        )
    ).parsed
