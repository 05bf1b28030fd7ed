"""A provider for AWS Bedrock through boto3's `bedrock-runtime` Converse and ConverseStream.

Config (`providers: {<name>: {type: bedrock, ...}}`), every key optional:

- `region`: the AWS region; else `AWS_REGION`, then `AWS_DEFAULT_REGION` or
  the profile's `region` (botocore's own lookup). No region: unavailable.
- `profile`: a profile of `~/.aws/config`; else botocore's chain decides
  (`AWS_PROFILE`, env keys, SSO, role assumption, container or instance role).
- `endpoint_url`: another Bedrock Runtime endpoint (VPC endpoint, a local fake).
- `connect_timeout_seconds` (default 5) and `timeout_seconds` (default 120):
  botocore's connect and read timeouts for one call; a read timeout answers
  DEADLINE_EXCEEDED (4).
- `max_attempts` (default 3), `retry_base_seconds` (default 0.5),
  `retry_max_seconds` (default 8): our retries with full-jitter backoff,
  `uniform(0, min(max, base * 2**n))`. botocore's own retries are off, so one
  policy (ours) decides, and only before any text was yielded.
- `max_concurrency` (default 64): calls in flight at once, threads of this
  provider's pool and connections of each client's pool. boto3 blocks, so each
  call holds one slot (a stream for its whole length, its reads in a pool
  thread); more calls wait their turn before anything is sent, within their
  `CompletionRequest.timeout`.
- `instance_metadata` (default true): whether the EC2 instance role may be
  looked up; `metadata_timeout_seconds` (default 1) bounds that one lookup.

A model's `options` may override `region`, `endpoint_url`,
`connect_timeout_seconds` and `timeout_seconds`; one client is built per
distinct (region, endpoint, timeouts) and kept for the provider's life.

Credentials come from botocore's standard chain (`providers.aws_credentials`),
resolved once when the provider is built and never blocking a caller: the EC2
instance-role lookup runs in the background, and until it answers the model is
reported unavailable ("looking up the EC2 instance role").
`AWS_EC2_METADATA_DISABLED=true` or `instance_metadata: false` skips it.
Credentials added after start-up (a new `~/.aws/credentials`) need a restart.

Error mapping (our gRPC codes): ThrottlingException -> retried, then
UNAVAILABLE (14), except a daily quota ("Too many tokens per day") and
ServiceQuotaExceededException -> RESOURCE_EXHAUSTED (8, not retried);
ModelTimeoutException and read timeouts -> DEADLINE_EXCEEDED (4);
ValidationException -> INVALID_ARGUMENT (3), or OUT_OF_RANGE (11) when the
prompt is too long; AccessDeniedException, ResourceNotFoundException, a model
not enabled or only served through an inference profile ("on-demand
throughput isn't supported"), rejected (expired, unrecognised) or missing
credentials, no region -> FAILED_PRECONDITION (9, with what to do);
ServiceUnavailable, ModelNotReady, InternalServer, ModelStreamError,
ModelError, other 429/5xx answers, connection failures and cut or malformed
streams -> retried while nothing was yielded, then
UNAVAILABLE (14); a stream cut after messageStop (the answer whole, only its
usage lost) ends normally, its usage estimated. Exceptions inside a stream
(botocore's EventStreamError) map the same way. The whole-answer deadline
(`CompletionRequest.timeout`) is held by domain.deadline around every
provider: its cancellation closes a stream, and a call still queued for a
worker thread is never sent; here the timeout only caps a Converse call's
read timeout, so a call that cannot be recalled ends with the request.

Mapped: text in and out (system prompt, user/assistant history), maxTokens
(the model's `max_output_tokens` when the request sets none), temperature,
topP, stop sequences, usage and stop reasons. Not mapped: tool use, images
and documents, guardrail configuration, reasoning content (its deltas are
skipped, only the answer's text is returned), prompt caching.
"""

import asyncio
import concurrent.futures
import contextlib
import os
import re
import threading
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

import botocore.session
import urllib3.exceptions
from botocore.config import Config
from botocore.eventstream import ParserError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from errors import ApiError, Code
from providers.aws_credentials import CREDENTIALS_HELP, CredentialChain
from providers.base import (
    Availability,
    ChatMessage,
    Completion,
    CompletionRequest,
    FinishReason,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Usage,
    estimate_usage,
)
from providers.retry import Retryable, RetryPolicy

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

T = TypeVar("T")

_FINISH = {
    "end_turn": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "stop_sequence": FinishReason.STOP_SEQUENCE,
    "guardrail_intervened": FinishReason.CONTENT_FILTER,
    "content_filtered": FinishReason.CONTENT_FILTER,
}
# AWS error codes, lower-cased: HTTP errors say "ThrottlingException", stream
# exception events "throttlingException".
_RETRYABLE = {
    "throttlingexception": "throttled",
    "serviceunavailableexception": "service unavailable",
    "modelnotreadyexception": "model not ready",
    "internalserverexception": "internal error",
    "modelstreamerrorexception": "the model's stream failed",
    "modelerrorexception": "the model failed",
}
_CREDENTIALS_REJECTED = {
    "unrecognizedclientexception",
    "invalidsignatureexception",
    "incompletesignatureexception",
    "expiredtokenexception",
    "missingauthenticationtokenexception",
    "invalidclienttokenid",
    "signaturedoesnotmatch",
}
_TOO_LONG = re.compile(
    r"input is too long|prompt is too long|too many input tokens|input tokens exceed|"
    r"too large for model|context (window|length|limit)",
    re.IGNORECASE,
)
# A ThrottlingException about a daily quota ("Too many tokens per day"): the
# account's quota, which no retry within seconds (nor a fallback's retry) fixes.
_DAILY_QUOTA = re.compile(r"per day", re.IGNORECASE)
_NO_MODEL_ACCESS = re.compile(
    r"don'?t have access|do not have access|not enabled|access denied|"
    r"model identifier is invalid|on-demand throughput",
    re.IGNORECASE,
)
_REGION_HELP = "set `region` in the provider config, or export AWS_REGION=<region>"
_ACCESS_HELP = (
    "enable access to this model in the Bedrock console (Model access) for the region, "
    "and allow bedrock:InvokeModel / InvokeModelWithResponseStream in IAM"
)
_READY_TIMEOUT_SECONDS = 2.0
_MAX_ERROR_TEXT = 300


@dataclass(frozen=True, slots=True)
class _ClientKey:
    region: str
    endpoint_url: str | None
    connect_timeout: float
    read_timeout: float


class _EventReader:
    """A ConverseStream's events for a worker thread, closable from the event loop's thread."""

    def __init__(self, provider: "BedrockProvider", stream: Any) -> None:
        self._provider = provider
        self._stream = stream
        self._events: Iterator[Mapping[str, Any]] = iter(stream)
        self._closed_by: ApiError | None = None  # set once closed: what a read says then
        self._finished = False

    def next(self) -> Mapping[str, Any] | None:
        """The next event, None at the end; ApiError or Retryable when the stream fails."""
        if self._closed_by is not None:
            raise self._closed_by
        try:
            event = next(self._events, None)
        except Exception as exc:
            if self._closed_by is not None:
                raise self._closed_by from exc
            raise self._provider._map_error(exc, broken="stream broken") from exc
        self._finished = event is None
        return event

    def close(self, why: ApiError | None = None) -> None:
        """Drops the connection now, so Bedrock stops generating; never blocks.

        `why` is what a read in progress (or a later one) raises; by default
        CANCELLED, as the reader is closed when its caller stops listening.

        A worker thread may be blocked reading this stream, holding the reader's
        lock: closing would wait for the model's next bytes. urllib3's
        `shutdown()` wakes that read first, so the close that follows is quick;
        where it cannot (an older urllib3), the close runs in a thread of its own.
        A stream read to its end has already given its connection back to the pool.
        """
        if self._closed_by is not None:
            return
        self._closed_by = why or ApiError(Code.CANCELLED, "stream closed")
        self._provider._forget(self)
        if self._finished or _shutdown(self._stream):
            _close(self._stream)
        else:
            threading.Thread(target=_close, args=(self._stream,), daemon=True).start()


def _shutdown(stream: Any) -> bool:
    """Whether the stream's socket could be shut down for reading (waking a blocked read)."""
    shutdown = getattr(getattr(stream, "_raw_stream", None), "shutdown", None)
    if not callable(shutdown):
        return False
    try:
        shutdown()
    except (ValueError, RuntimeError, OSError):
        return False  # no socket any more (closed or released): nothing to wake
    return True


def _close(stream: Any) -> None:
    try:
        stream.close()
    except Exception:  # closing a broken stream must not mask what broke it
        pass


class BedrockProvider:
    """A `providers.base.Provider` over boto3 bedrock-runtime clients and a thread pool."""

    def __init__(self, name: str, config: Mapping[str, Any]) -> None:
        self.name = name
        self.profile = str(config["profile"]) if config.get("profile") else None
        self.endpoint_url = str(config["endpoint_url"]) if config.get("endpoint_url") else None
        self.timeout_seconds = float(config.get("timeout_seconds", 120.0))
        self.connect_timeout_seconds = float(config.get("connect_timeout_seconds", 5.0))
        self.retry = RetryPolicy.from_config(name, config)
        self.max_concurrency = int(config.get("max_concurrency", 64))
        metadata_timeout = float(config.get("metadata_timeout_seconds", 1.0))
        if self.max_concurrency < 1:
            raise ValueError(f"provider {name}: max_concurrency must be >= 1")
        if self.timeout_seconds <= 0 or self.connect_timeout_seconds <= 0 or metadata_timeout <= 0:
            raise ValueError(f"provider {name}: timeouts must be > 0")

        self._session = botocore.session.Session(profile=self.profile)
        self._session.set_config_variable("metadata_service_timeout", metadata_timeout)
        self._session.set_config_variable("metadata_service_num_attempts", 1)
        self.region = str(config.get("region") or "") or self._default_region()
        self._chain = CredentialChain(self._session, bool(config.get("instance_metadata", True)))
        self._clients: dict[_ClientKey, BedrockRuntimeClient] = {}
        self._clients_lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.max_concurrency, thread_name_prefix=f"bedrock-{name}"
        )
        # Open streams, so that aclose() can drop them; guarded by the lock, as
        # worker threads add to it.
        self._readers: set[_EventReader] = set()
        self._readers_lock = threading.Lock()
        self._closed = False
        # One slot per call in flight (a stream holds its slot to its end), so
        # every open stream has a pool thread to read it and a pooled connection;
        # more calls wait here, before anything is sent, within their deadline.
        self._slots = asyncio.Semaphore(self.max_concurrency)

    # -- Provider protocol -------------------------------------------------

    def availability(self, model: ModelSpec) -> Availability:
        credentials = self._chain.current()
        if credentials.available and not self._region(model):
            return Availability(False, f"no AWS region; {_REGION_HELP}")
        return credentials

    async def check_ready(self) -> Availability:
        """Proves the credentials and the endpoint with one signed, bounded call.

        The call is ListAsyncInvokes(maxResults=1): read-only, no model is
        invoked and nothing is billed. Any answer but a credential rejection
        means ready: AccessDenied on that listing still proves AWS accepted
        our signature, and an upstream outage is not a reason to take this
        process out of a load balancer (the answers will say 14 meanwhile).

        The probe runs in a thread of its own, not in the provider's pool: with
        every pool thread busy streaming, it would queue behind them, and a busy
        process would look dead to its load balancer exactly when it is busy.
        """
        ready = await self._chain.wait()
        if not ready.available:
            return ready
        if not self.region:
            return Availability(False, f"no AWS region; {_REGION_HELP}")
        key = _ClientKey(
            self.region, self.endpoint_url, _READY_TIMEOUT_SECONDS, _READY_TIMEOUT_SECONDS
        )

        def probe() -> Availability:
            try:
                self._client(key).list_async_invokes(maxResults=1)
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code.lower() in _CREDENTIALS_REJECTED:
                    return Availability(False, f"AWS rejected the credentials ({code})")
                return Availability(True, f"endpoint answered {code or 'an error'}")
            except (BotoCoreError, OSError) as exc:
                return Availability(False, f"{type(exc).__name__}: {exc}")
            return Availability(True)

        return await asyncio.to_thread(probe)

    async def aclose(self) -> None:
        """Ends open streams now (UNAVAILABLE), refuses new calls, releases the clients.

        A worker thread blocked reading a stream would otherwise keep it, and the
        process's exit (which joins the pool's threads), until the model's next
        bytes; queued calls find the provider closed and send nothing.
        """
        with self._readers_lock:
            self._closed = True
            readers, self._readers = list(self._readers), set()
        for reader in readers:
            reader.close(self._shut_down())
        self._executor.shutdown(wait=False)
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    async def complete(self, request: CompletionRequest) -> Completion:
        if self._closed:
            raise self._shut_down()
        await self._require_credentials(request.model)
        kwargs = self._converse_kwargs(request)
        key = self._key(request.model)
        if request.timeout:
            # A Converse call cannot be recalled once sent: a read timeout no longer
            # than the caller's budget keeps its thread from outliving the request.
            key = replace(key, read_timeout=min(key.read_timeout, request.timeout))
        last: Retryable | None = None
        for attempt in range(self.retry.max_attempts):
            if last is not None:
                await asyncio.sleep(self.retry.backoff(attempt))
            try:
                async with self._slots:
                    answer = await self._in_thread(lambda: self._converse(key, kwargs))
            except Retryable as exc:
                last = exc
                continue
            return self._completion(request, answer)
        raise self._exhausted(last)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        if self._closed:
            raise self._shut_down()
        await self._require_credentials(request.model)
        kwargs = self._converse_kwargs(request)
        key = self._key(request.model)
        yielded = False
        last: Retryable | None = None
        for attempt in range(self.retry.max_attempts):
            if last is not None:
                await asyncio.sleep(self.retry.backoff(attempt))
            try:
                async with (
                    self._slots,
                    contextlib.aclosing(self._stream_once(request, key, kwargs)) as events,
                ):
                    async for event in events:
                        yielded = yielded or isinstance(event, TextDelta)
                        yield event
                return
            except Retryable as exc:
                if yielded:  # never replay an answer the caller has partly seen
                    raise exc.error from exc
                last = exc
        raise self._exhausted(last)

    async def _stream_once(
        self, request: CompletionRequest, key: _ClientKey, kwargs: dict[str, Any]
    ) -> AsyncGenerator[StreamEvent, None]:
        """One ConverseStream call: its text deltas, then StreamEnd; Retryable when it fails."""
        reader = await self._in_thread(
            lambda: self._converse_stream(key, kwargs), abandon=_EventReader.close
        )
        # `finally` runs on aclose()/cancellation/timeout too: the connection is
        # dropped, so Bedrock stops generating for nobody.
        try:
            parts: list[str] = []
            finish: FinishReason | None = None
            usage: Usage | None = None
            while True:
                try:
                    event = await self._in_thread(reader.next)
                except Retryable:
                    if finish is None:
                        raise
                    break  # cut after messageStop: the answer is whole, only its usage is lost
                if event is None:
                    break
                if "contentBlockDelta" in event:
                    # Only text: reasoningContent and toolUse deltas are not mapped.
                    text = event["contentBlockDelta"].get("delta", {}).get("text")
                    if text:
                        parts.append(text)
                        yield TextDelta(text)
                elif "messageStop" in event:
                    finish = _finish(event["messageStop"].get("stopReason"))
                elif "metadata" in event:
                    usage = _usage(event["metadata"].get("usage"))
            if finish is None:
                raise Retryable(ApiError(Code.UNAVAILABLE, f"{self._who()}: stream ended early"))
            yield StreamEnd(finish, usage or estimate_usage(request, "".join(parts)))
        finally:
            reader.close()

    async def _in_thread(
        self, call: Callable[[], T], abandon: Callable[[T], None] | None = None
    ) -> T:
        """`call()` in one of our worker threads. If we stop waiting (the caller's deadline,
        domain.deadline, or a cancellation), a call not started yet never runs, and one
        already running runs on to its own end, `abandon` receiving what it returns then."""
        future = self._executor.submit(call)
        try:
            return await asyncio.wrap_future(future)
        finally:
            if not future.done() and abandon is not None:
                future.add_done_callback(_abandoned(abandon))

    # -- calls, in worker threads --------------------------------------------

    def _converse(self, key: _ClientKey, kwargs: dict[str, Any]) -> Mapping[str, Any]:
        if self._closed:
            raise self._shut_down()
        try:
            answer: Mapping[str, Any] = self._client(key).converse(**kwargs)
        except Exception as exc:
            raise self._map_error(exc) from exc
        return answer

    def _converse_stream(self, key: _ClientKey, kwargs: dict[str, Any]) -> _EventReader:
        if self._closed:
            raise self._shut_down()
        try:
            response = self._client(key).converse_stream(**kwargs)
        except Exception as exc:
            raise self._map_error(exc) from exc
        reader = _EventReader(self, response["stream"])
        with self._readers_lock:
            if not self._closed:
                self._readers.add(reader)
                return reader
        reader.close(self._shut_down())  # aclose() ran while this call was under way
        raise self._shut_down()

    def _forget(self, reader: _EventReader) -> None:
        with self._readers_lock:
            self._readers.discard(reader)

    def _client(self, key: _ClientKey) -> "BedrockRuntimeClient":
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._clients_lock:  # botocore sessions are not thread-safe for client creation
            client = self._clients.get(key)
            if client is None:
                self._session.register_component(
                    "credential_provider", self._chain.credential_provider()
                )
                config = Config(
                    connect_timeout=key.connect_timeout,
                    read_timeout=key.read_timeout,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                    max_pool_connections=self.max_concurrency,
                )
                # boto3's client() is this call on its botocore session; ours already holds
                # the profile and the credentials, so no boto3 Session is needed.
                client = cast(
                    "BedrockRuntimeClient",
                    self._session.create_client(
                        "bedrock-runtime",
                        region_name=key.region,
                        endpoint_url=key.endpoint_url,
                        config=config,
                    ),
                )
                self._clients[key] = client
            return client

    # -- mapping ---------------------------------------------------------------

    def _converse_kwargs(self, request: CompletionRequest) -> dict[str, Any]:
        """Converse's parameters; ConverseStream takes the same."""
        # Blank text (whitespace included) is left out: Bedrock rejects a blank block.
        system = [text for text in (request.system or "", *_system_turns(request)) if text.strip()]
        messages: list[dict[str, Any]] = []
        for message in request.messages:
            if message.role != "system" and message.content.strip():
                _append(messages, message)
        params = request.params
        inference: dict[str, Any] = {
            "maxTokens": params.max_tokens or request.model.max_output_tokens
        }
        # Unset values are left out so the model applies its own defaults.
        if params.temperature is not None:
            inference["temperature"] = params.temperature
        if params.top_p is not None:
            inference["topP"] = params.top_p
        if params.stop:
            inference["stopSequences"] = list(params.stop)
        kwargs: dict[str, Any] = {
            "modelId": request.model.upstream_id,
            "messages": messages,
            "inferenceConfig": inference,
        }
        if system:
            kwargs["system"] = [{"text": text} for text in system]
        return kwargs

    def _completion(self, request: CompletionRequest, answer: Mapping[str, Any]) -> Completion:
        try:
            blocks = answer["output"]["message"]["content"]
            text = "".join(str(block["text"]) for block in blocks if "text" in block)
        except (KeyError, TypeError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed answer") from exc
        usage = _usage(answer.get("usage")) or estimate_usage(request, text)
        return Completion(text, _finish(answer.get("stopReason")), usage)

    def _map_error(self, exc: Exception, broken: str = "connection failed") -> Exception:
        """An SDK failure as ApiError, or Retryable wrapping one when another try may help.

        `broken` says what a transport failure broke (a call, or a stream midway).
        """
        who = self._who()
        if isinstance(exc, ApiError | Retryable):
            return exc
        if isinstance(exc, ClientError):  # EventStreamError (in-stream exceptions) included
            return self._client_error(exc)
        if isinstance(exc, ReadTimeoutError | urllib3.exceptions.ReadTimeoutError):
            return ApiError(Code.DEADLINE_EXCEEDED, f"{who}: no answer within the read timeout")
        if isinstance(exc, ParserError):  # a frame with a bad checksum or length
            return Retryable(ApiError(Code.UNAVAILABLE, f"{who}: malformed stream event"))
        if isinstance(
            exc,
            EndpointConnectionError  # ConnectTimeoutError included
            | ConnectionClosedError
            | HTTPClientError
            | urllib3.exceptions.HTTPError
            | OSError,
        ):
            return Retryable(ApiError(Code.UNAVAILABLE, f"{who}: {broken} ({type(exc).__name__})"))
        if isinstance(
            exc,
            NoCredentialsError
            | PartialCredentialsError
            | CredentialRetrievalError
            | TokenRetrievalError
            | SSOError
            | ProfileNotFound,
        ):
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: {exc}; {CREDENTIALS_HELP}")
        if isinstance(exc, NoRegionError):
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: no AWS region; {_REGION_HELP}")
        if isinstance(exc, ParamValidationError):
            return ApiError(Code.INVALID_ARGUMENT, f"{who}: {exc}")
        return ApiError(Code.UNKNOWN, f"{who}: {type(exc).__name__}: {exc}")

    def _client_error(self, exc: ClientError) -> Exception:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        message = str(error.get("Message") or "")[:_MAX_ERROR_TEXT]
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        kind = code.lower()
        detail = f"{self._who()} answered {code or status}: {message}"
        quota = f"{detail} (the AWS account's quota)"
        if kind == "throttlingexception" and _DAILY_QUOTA.search(message):
            return ApiError(Code.RESOURCE_EXHAUSTED, quota)
        if kind in _RETRYABLE:
            label = f"{self._who()}: {_RETRYABLE[kind]}"
            return Retryable(
                ApiError(Code.UNAVAILABLE, f"{label} ({message})" if message else label)
            )
        if kind == "servicequotaexceededexception":
            return ApiError(Code.RESOURCE_EXHAUSTED, quota)
        if kind == "modeltimeoutexception":
            return ApiError(Code.DEADLINE_EXCEEDED, detail)
        if kind in _CREDENTIALS_REJECTED:
            return ApiError(
                Code.FAILED_PRECONDITION,
                f"{self._who()}: AWS rejected the credentials ({code}); {CREDENTIALS_HELP}; "
                "then restart the server, which reads them at start-up",
            )
        if kind == "validationexception" and _TOO_LONG.search(message):
            return ApiError(Code.OUT_OF_RANGE, f"{detail} (the prompt exceeds the context window)")
        if kind in (
            "accessdeniedexception",
            "resourcenotfoundexception",
        ) or _NO_MODEL_ACCESS.search(message):
            return ApiError(Code.FAILED_PRECONDITION, f"{detail}; {_ACCESS_HELP}")
        if kind == "validationexception":
            return ApiError(Code.INVALID_ARGUMENT, detail)
        if status == 429 or status >= 500:
            return Retryable(ApiError(Code.UNAVAILABLE, detail))
        if status in (400, 422):
            return ApiError(Code.INVALID_ARGUMENT, detail)
        if status in (401, 403, 404):
            return ApiError(Code.FAILED_PRECONDITION, detail)
        if status == 408:
            return ApiError(Code.DEADLINE_EXCEEDED, detail)
        return ApiError(Code.UNKNOWN, detail)

    # -- internals ---------------------------------------------------------

    def _who(self) -> str:
        return f"upstream {self.name}"

    def _shut_down(self) -> ApiError:
        return ApiError(Code.UNAVAILABLE, f"{self._who()}: the server is shutting down")

    def _default_region(self) -> str:
        # botocore reads AWS_DEFAULT_REGION and the profile, not AWS_REGION (the newer SDKs' name).
        region = os.environ.get("AWS_REGION", "")
        if region:
            return region
        try:
            return str(self._session.get_config_variable("region") or "")
        except BotoCoreError:  # e.g. a named profile that does not exist; credentials say so
            return ""

    def _region(self, model: ModelSpec) -> str:
        return str(model.options.get("region") or "") or self.region

    def _key(self, model: ModelSpec) -> _ClientKey:
        options = model.options
        endpoint = options.get("endpoint_url") or self.endpoint_url
        return _ClientKey(
            region=self._region(model),
            endpoint_url=str(endpoint) if endpoint else None,
            connect_timeout=float(
                options.get("connect_timeout_seconds", self.connect_timeout_seconds)
            ),
            read_timeout=float(options.get("timeout_seconds", self.timeout_seconds)),
        )

    async def _require_credentials(self, model: ModelSpec) -> None:
        if not self._region(model):
            raise ApiError(
                Code.FAILED_PRECONDITION, f"{self._who()}: no AWS region; {_REGION_HELP}"
            )
        ready = await self._chain.wait()
        if not ready.available:
            raise ApiError(Code.FAILED_PRECONDITION, f"{self._who()}: {ready.reason}")

    def _exhausted(self, last: Retryable | None) -> ApiError:
        assert last is not None  # the loop ran max_attempts >= 1 times
        if self.retry.max_attempts == 1:
            return last.error
        error = last.error
        message = f"{error.message} (after {self.retry.max_attempts} attempts)"
        return ApiError(error.code, message, error.details, error.headers)


def _abandoned(abandon: Callable[[T], None]) -> Callable[["concurrent.futures.Future[T]"], None]:
    def done(future: "concurrent.futures.Future[T]") -> None:
        if not future.cancelled() and future.exception() is None:
            abandon(future.result())

    return done


def _system_turns(request: CompletionRequest) -> list[str]:
    """System turns inside the history (the OpenAI endpoint allows them): Converse takes
    them only in `system`."""
    return [m.content for m in request.messages if m.role == "system"]


def _append(messages: list[dict[str, Any]], message: ChatMessage) -> None:
    """Consecutive turns of one role become one message: Converse wants them alternating."""
    block = {"text": message.content}
    if messages and messages[-1]["role"] == message.role:
        messages[-1]["content"].append(block)
    else:
        messages.append({"role": message.role, "content": [block]})


def _finish(value: object) -> FinishReason:
    return _FINISH.get(str(value), FinishReason.STOP)


def _usage(value: object) -> Usage | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Usage(int(value["inputTokens"]), int(value["outputTokens"]))
    except (KeyError, TypeError, ValueError):
        return None
