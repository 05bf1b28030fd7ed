from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.chat_completion import ChatCompletion
from ...models.create_chat_completion_request import CreateChatCompletionRequest
from ...models.quota_error import QuotaError
from ...models.status import Status
from ...types import Response


def _get_kwargs(
    *,
    body: CreateChatCompletionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/openai/v1/chat/completions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ChatCompletion | QuotaError | Status:
    if response.status_code == 200:
        response_200 = ChatCompletion.from_dict(response.json())

        return response_200

    if response.status_code == 429:
        response_429 = QuotaError.from_dict(response.json())

        return response_429

    response_default = Status.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ChatCompletion | QuotaError | Status]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateChatCompletionRequest,
) -> Response[ChatCompletion | QuotaError | Status]:
    """Creates a chat completion. With `stream: true` the answer comes as
     Server-Sent Events, one `data: <chunk>` line per chunk, ending with
     `data: [DONE]`; with `stream_options.include_usage` the last chunk
     before it carries the usage.

    Args:
        body (CreateChatCompletionRequest): Request body of OpenAIService.CreateChatCompletion.

             Parameters OpenAI defines that would change the answer and that this server
             cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
             `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
             `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
             upstreams (which get them), non-zero `frequency_penalty` /
             `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the
            answer are accepted:
             `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
             `prompt_cache_key`; other unknown fields too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | QuotaError | Status]
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
    body: CreateChatCompletionRequest,
) -> ChatCompletion | QuotaError | Status | None:
    """Creates a chat completion. With `stream: true` the answer comes as
     Server-Sent Events, one `data: <chunk>` line per chunk, ending with
     `data: [DONE]`; with `stream_options.include_usage` the last chunk
     before it carries the usage.

    Args:
        body (CreateChatCompletionRequest): Request body of OpenAIService.CreateChatCompletion.

             Parameters OpenAI defines that would change the answer and that this server
             cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
             `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
             `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
             upstreams (which get them), non-zero `frequency_penalty` /
             `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the
            answer are accepted:
             `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
             `prompt_cache_key`; other unknown fields too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | QuotaError | Status
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateChatCompletionRequest,
) -> Response[ChatCompletion | QuotaError | Status]:
    """Creates a chat completion. With `stream: true` the answer comes as
     Server-Sent Events, one `data: <chunk>` line per chunk, ending with
     `data: [DONE]`; with `stream_options.include_usage` the last chunk
     before it carries the usage.

    Args:
        body (CreateChatCompletionRequest): Request body of OpenAIService.CreateChatCompletion.

             Parameters OpenAI defines that would change the answer and that this server
             cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
             `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
             `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
             upstreams (which get them), non-zero `frequency_penalty` /
             `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the
            answer are accepted:
             `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
             `prompt_cache_key`; other unknown fields too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | QuotaError | Status]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateChatCompletionRequest,
) -> ChatCompletion | QuotaError | Status | None:
    """Creates a chat completion. With `stream: true` the answer comes as
     Server-Sent Events, one `data: <chunk>` line per chunk, ending with
     `data: [DONE]`; with `stream_options.include_usage` the last chunk
     before it carries the usage.

    Args:
        body (CreateChatCompletionRequest): Request body of OpenAIService.CreateChatCompletion.

             Parameters OpenAI defines that would change the answer and that this server
             cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
             `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
             `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
             upstreams (which get them), non-zero `frequency_penalty` /
             `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the
            answer are accepted:
             `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
             `prompt_cache_key`; other unknown fields too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | QuotaError | Status
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
