from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.effective_limits import EffectiveLimits
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    api_key: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["apiKey"] = api_key

    params["model"] = model

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/effectiveLimits",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EffectiveLimits | Status:
    if response.status_code == 200:
        response_200 = EffectiveLimits.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[EffectiveLimits | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    api_key: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Response[EffectiveLimits | Status]:
    """The limits that apply to a key's requests (the caller's own key when
     `apiKey` is unset), with what is left of each and when it resets. Users
     read their own keys' limits; admins anyone's.

    Args:
        api_key (str | Unset):
        model (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectiveLimits | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        model=model,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    api_key: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> EffectiveLimits | Status | None:
    """The limits that apply to a key's requests (the caller's own key when
     `apiKey` is unset), with what is left of each and when it resets. Users
     read their own keys' limits; admins anyone's.

    Args:
        api_key (str | Unset):
        model (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectiveLimits | Status
    """

    return sync_detailed(
        client=client,
        api_key=api_key,
        model=model,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    api_key: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Response[EffectiveLimits | Status]:
    """The limits that apply to a key's requests (the caller's own key when
     `apiKey` is unset), with what is left of each and when it resets. Users
     read their own keys' limits; admins anyone's.

    Args:
        api_key (str | Unset):
        model (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EffectiveLimits | Status]
    """

    kwargs = _get_kwargs(
        api_key=api_key,
        model=model,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    api_key: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> EffectiveLimits | Status | None:
    """The limits that apply to a key's requests (the caller's own key when
     `apiKey` is unset), with what is left of each and when it resets. Users
     read their own keys' limits; admins anyone's.

    Args:
        api_key (str | Unset):
        model (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EffectiveLimits | Status
    """

    return (
        await asyncio_detailed(
            client=client,
            api_key=api_key,
            model=model,
        )
    ).parsed
