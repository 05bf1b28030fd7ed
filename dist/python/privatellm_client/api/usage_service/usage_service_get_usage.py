import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.status import Status
from ...models.usage_report import UsageReport
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start_date: datetime.date | Unset = UNSET,
    end_date: datetime.date | Unset = UNSET,
    user: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_start_date: str | Unset = UNSET
    if not isinstance(start_date, Unset):
        json_start_date = start_date.isoformat()
    params["startDate"] = json_start_date

    json_end_date: str | Unset = UNSET
    if not isinstance(end_date, Unset):
        json_end_date = end_date.isoformat()
    params["endDate"] = json_end_date

    params["user"] = user

    params["model"] = model

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Status | UsageReport:
    if response.status_code == 200:
        response_200 = UsageReport.from_dict(response.json())

        return response_200

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Status | UsageReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_date: datetime.date | Unset = UNSET,
    end_date: datetime.date | Unset = UNSET,
    user: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Response[Status | UsageReport]:
    """Reports usage per day, user and model over a date range (UTC, both
     ends included). Users see their own usage; admins may ask for any
     user's or everyone's. A user asking for another user's usage answers
     PERMISSION_DENIED (7).

    Args:
        start_date (datetime.date | Unset):  Example: 2026-11-01.
        end_date (datetime.date | Unset):  Example: 2026-11-30.
        user (str | Unset):  Example: alice.
        model (str | Unset):  Example: echo.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Status | UsageReport]
    """

    kwargs = _get_kwargs(
        start_date=start_date,
        end_date=end_date,
        user=user,
        model=model,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    start_date: datetime.date | Unset = UNSET,
    end_date: datetime.date | Unset = UNSET,
    user: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Status | UsageReport | None:
    """Reports usage per day, user and model over a date range (UTC, both
     ends included). Users see their own usage; admins may ask for any
     user's or everyone's. A user asking for another user's usage answers
     PERMISSION_DENIED (7).

    Args:
        start_date (datetime.date | Unset):  Example: 2026-11-01.
        end_date (datetime.date | Unset):  Example: 2026-11-30.
        user (str | Unset):  Example: alice.
        model (str | Unset):  Example: echo.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Status | UsageReport
    """

    return sync_detailed(
        client=client,
        start_date=start_date,
        end_date=end_date,
        user=user,
        model=model,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_date: datetime.date | Unset = UNSET,
    end_date: datetime.date | Unset = UNSET,
    user: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Response[Status | UsageReport]:
    """Reports usage per day, user and model over a date range (UTC, both
     ends included). Users see their own usage; admins may ask for any
     user's or everyone's. A user asking for another user's usage answers
     PERMISSION_DENIED (7).

    Args:
        start_date (datetime.date | Unset):  Example: 2026-11-01.
        end_date (datetime.date | Unset):  Example: 2026-11-30.
        user (str | Unset):  Example: alice.
        model (str | Unset):  Example: echo.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Status | UsageReport]
    """

    kwargs = _get_kwargs(
        start_date=start_date,
        end_date=end_date,
        user=user,
        model=model,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    start_date: datetime.date | Unset = UNSET,
    end_date: datetime.date | Unset = UNSET,
    user: str | Unset = UNSET,
    model: str | Unset = UNSET,
) -> Status | UsageReport | None:
    """Reports usage per day, user and model over a date range (UTC, both
     ends included). Users see their own usage; admins may ask for any
     user's or everyone's. A user asking for another user's usage answers
     PERMISSION_DENIED (7).

    Args:
        start_date (datetime.date | Unset):  Example: 2026-11-01.
        end_date (datetime.date | Unset):  Example: 2026-11-30.
        user (str | Unset):  Example: alice.
        model (str | Unset):  Example: echo.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Status | UsageReport
    """

    return (
        await asyncio_detailed(
            client=client,
            start_date=start_date,
            end_date=end_date,
            user=user,
            model=model,
        )
    ).parsed
