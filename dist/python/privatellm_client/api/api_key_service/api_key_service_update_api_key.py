from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_key import ApiKey
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    api_key: str,
    *,
    body: ApiKey,
    update_mask: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["updateMask"] = update_mask

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/apiKeys/{api_key}".format(
            api_key=quote(str(api_key), safe=""),
        ),
        "params": params,
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
    body: ApiKey,
    update_mask: str | Unset = UNSET,
) -> Response[ApiKey | Status]:
    """Updates the fields of a key named in `updateMask` (`displayName`,
     `limits`, or one `limits.<field>`; both when empty). Users update their
     own keys, admins anyone's. A key's limits narrow its user's (both
     apply to its requests), so raising them grants nothing. With an `etag` that is not the current one,
    answers ABORTED
     (10) and changes nothing. New limits apply on every process within 2 s.

    Args:
        api_key (str):
        update_mask (str | Unset):
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        body=body,
        update_mask=update_mask,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
    update_mask: str | Unset = UNSET,
) -> ApiKey | Status | None:
    """Updates the fields of a key named in `updateMask` (`displayName`,
     `limits`, or one `limits.<field>`; both when empty). Users update their
     own keys, admins anyone's. A key's limits narrow its user's (both
     apply to its requests), so raising them grants nothing. With an `etag` that is not the current one,
    answers ABORTED
     (10) and changes nothing. New limits apply on every process within 2 s.

    Args:
        api_key (str):
        update_mask (str | Unset):
        body (ApiKey): An API key, without its secret.

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
        update_mask=update_mask,
    ).parsed


async def asyncio_detailed(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
    update_mask: str | Unset = UNSET,
) -> Response[ApiKey | Status]:
    """Updates the fields of a key named in `updateMask` (`displayName`,
     `limits`, or one `limits.<field>`; both when empty). Users update their
     own keys, admins anyone's. A key's limits narrow its user's (both
     apply to its requests), so raising them grants nothing. With an `etag` that is not the current one,
    answers ABORTED
     (10) and changes nothing. New limits apply on every process within 2 s.

    Args:
        api_key (str):
        update_mask (str | Unset):
        body (ApiKey): An API key, without its secret.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        body=body,
        update_mask=update_mask,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    api_key: str,
    *,
    client: AuthenticatedClient | Client,
    body: ApiKey,
    update_mask: str | Unset = UNSET,
) -> ApiKey | Status | None:
    """Updates the fields of a key named in `updateMask` (`displayName`,
     `limits`, or one `limits.<field>`; both when empty). Users update their
     own keys, admins anyone's. A key's limits narrow its user's (both
     apply to its requests), so raising them grants nothing. With an `etag` that is not the current one,
    answers ABORTED
     (10) and changes nothing. New limits apply on every process within 2 s.

    Args:
        api_key (str):
        update_mask (str | Unset):
        body (ApiKey): An API key, without its secret.

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
            update_mask=update_mask,
        )
    ).parsed
