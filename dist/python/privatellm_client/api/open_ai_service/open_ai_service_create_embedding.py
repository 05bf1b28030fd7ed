from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.create_embedding_request import CreateEmbeddingRequest
from ...models.create_embedding_response import CreateEmbeddingResponse
from ...models.quota_error import QuotaError
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    *,
    body: CreateEmbeddingRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openai/v1/embeddings",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateEmbeddingResponse | QuotaError | Status:
    if response.status_code == 200:
        response_200 = CreateEmbeddingResponse.from_dict(response.json())

        return response_200

    if response.status_code == 429:
        response_429 = QuotaError.from_dict(response.json())

        return response_429

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateEmbeddingResponse | QuotaError | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateEmbeddingRequest,
) -> Response[CreateEmbeddingResponse | QuotaError | Status]:
    """Creates embeddings of one text or of several, with a model whose
     `capabilities` include `embeddings`. Usage is counted like a generation's,
     and the call is admitted against the same limits first: requests and
     tokens per minute, token and cost budgets (the input's estimated tokens
     are reserved, then settled with what the model counted), and the key's
     model allow-list (7).

    Args:
        body (CreateEmbeddingRequest): Request body of OpenAIService.CreateEmbedding.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEmbeddingResponse | QuotaError | Status]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateEmbeddingRequest,
) -> CreateEmbeddingResponse | QuotaError | Status | None:
    """Creates embeddings of one text or of several, with a model whose
     `capabilities` include `embeddings`. Usage is counted like a generation's,
     and the call is admitted against the same limits first: requests and
     tokens per minute, token and cost budgets (the input's estimated tokens
     are reserved, then settled with what the model counted), and the key's
     model allow-list (7).

    Args:
        body (CreateEmbeddingRequest): Request body of OpenAIService.CreateEmbedding.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEmbeddingResponse | QuotaError | Status
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateEmbeddingRequest,
) -> Response[CreateEmbeddingResponse | QuotaError | Status]:
    """Creates embeddings of one text or of several, with a model whose
     `capabilities` include `embeddings`. Usage is counted like a generation's,
     and the call is admitted against the same limits first: requests and
     tokens per minute, token and cost budgets (the input's estimated tokens
     are reserved, then settled with what the model counted), and the key's
     model allow-list (7).

    Args:
        body (CreateEmbeddingRequest): Request body of OpenAIService.CreateEmbedding.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateEmbeddingResponse | QuotaError | Status]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateEmbeddingRequest,
) -> CreateEmbeddingResponse | QuotaError | Status | None:
    """Creates embeddings of one text or of several, with a model whose
     `capabilities` include `embeddings`. Usage is counted like a generation's,
     and the call is admitted against the same limits first: requests and
     tokens per minute, token and cost budgets (the input's estimated tokens
     are reserved, then settled with what the model counted), and the key's
     model allow-list (7).

    Args:
        body (CreateEmbeddingRequest): Request body of OpenAIService.CreateEmbedding.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateEmbeddingResponse | QuotaError | Status
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
