"""BedrockProvider: the Provider protocol over boto3 clients and a pool of worker threads.

boto3 blocks, so every call runs in one of the provider's threads; retries,
shutdown and the slot a call holds are decided here, the mapping elsewhere in
the package (see its docstring).
"""

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import os
import threading
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from errors import ApiError, Code
from providers.aws_credentials import CredentialChain
from providers.base import (
    Availability,
    Completion,
    CompletionRequest,
    EmbeddingRequest,
    Embeddings,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    estimate_usage,
)
from providers.bedrock import embeddings
from providers.bedrock.client import ClientKey, Clients, EventReader
from providers.bedrock.errors import CREDENTIALS_REJECTED, REGION_HELP, map_error
from providers.bedrock.request import converse_kwargs, structured
from providers.bedrock.response import StreamMapping, completion
from providers.retry import Retryable, RetryPolicy

T = TypeVar("T")

_READY_TIMEOUT_SECONDS = 2.0


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
        self._clients = Clients(self._session, self._chain, self.max_concurrency)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.max_concurrency, thread_name_prefix=f"bedrock-{name}"
        )
        # Open streams, so that aclose() can drop them; guarded by the lock, as
        # worker threads add to it.
        self._readers: set[EventReader] = set()
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
            return Availability(False, f"no AWS region; {REGION_HELP}")
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
            return Availability(False, f"no AWS region; {REGION_HELP}")
        key = ClientKey(
            self.region, self.endpoint_url, _READY_TIMEOUT_SECONDS, _READY_TIMEOUT_SECONDS
        )

        def probe() -> Availability:
            try:
                self._clients.get(key).list_async_invokes(maxResults=1)
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code.lower() in CREDENTIALS_REJECTED:
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
        self._clients.close()

    async def complete(self, request: CompletionRequest) -> Completion:
        if self._closed:
            raise self._shut_down()
        await self._require_credentials(request.model)
        kwargs = converse_kwargs(request)
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
            return completion(self._who(), request, answer, structured(request))
        raise self._exhausted(last)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        if self._closed:
            raise self._shut_down()
        await self._require_credentials(request.model)
        kwargs = converse_kwargs(request)
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
                        yielded = yielded or not isinstance(event, StreamEnd)
                        yield event
                return
            except Retryable as exc:
                if yielded:  # never replay an answer the caller has partly seen
                    raise exc.error from exc
                last = exc
        raise self._exhausted(last)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        """InvokeModel, once per text (Titan) or per 96 texts (Cohere), with our retries."""
        if self._closed:
            raise self._shut_down()
        await self._require_credentials(request.model)
        calls = embeddings.bodies(request)
        key = self._key(request.model)
        vectors: list[list[float]] = []
        tokens = 0
        for body in calls:
            last: Retryable | None = None
            for attempt in range(self.retry.max_attempts):
                if last is not None:
                    await asyncio.sleep(self.retry.backoff(attempt))
                try:
                    async with self._slots:
                        answer, counted = await self._in_thread(
                            functools.partial(self._invoke, key, request.model.upstream_id, body)
                        )
                except Retryable as exc:
                    last = exc
                    continue
                break
            else:
                raise self._exhausted(last)
            found, used = embeddings.read(self._who(), answer, counted)
            vectors += found
            tokens += used
        if len(vectors) != len(request.texts):
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: one embedding per text expected")
        return Embeddings(vectors, tokens or sum(len(t) // 4 + 1 for t in request.texts))

    async def _stream_once(
        self, request: CompletionRequest, key: ClientKey, kwargs: dict[str, Any]
    ) -> AsyncGenerator[StreamEvent, None]:
        """One ConverseStream call: its deltas, then StreamEnd; Retryable when it fails."""
        reader = await self._in_thread(
            lambda: self._converse_stream(key, kwargs), abandon=EventReader.close
        )
        # `finally` runs on aclose()/cancellation/timeout too: the connection is
        # dropped, so Bedrock stops generating for nobody.
        try:
            mapping = StreamMapping(structured(request))
            while True:
                try:
                    event = await self._in_thread(reader.next)
                except Retryable:
                    if mapping.finish is None:
                        raise
                    break  # cut after messageStop: the answer is whole, only its usage is lost
                if event is None:
                    break
                for mapped in mapping.events(event):
                    yield mapped
            if mapping.finish is None:
                raise Retryable(ApiError(Code.UNAVAILABLE, f"{self._who()}: stream ended early"))
            usage = mapping.usage or estimate_usage(request, mapping.text)
            yield StreamEnd(mapping.finish, usage)
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

    def _converse(self, key: ClientKey, kwargs: dict[str, Any]) -> Mapping[str, Any]:
        if self._closed:
            raise self._shut_down()
        try:
            answer: Mapping[str, Any] = self._clients.get(key).converse(**kwargs)
        except Exception as exc:
            raise map_error(self._who(), exc) from exc
        return answer

    def _invoke(
        self, key: ClientKey, model_id: str, body: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], str | None]:
        """One InvokeModel: its JSON answer and the input-token count header, if any."""
        if self._closed:
            raise self._shut_down()
        try:
            response = self._clients.get(key).invoke_model(
                modelId=model_id,
                body=embeddings.encode(body),
                contentType="application/json",
                accept="application/json",
            )
            answer = json.loads(response["body"].read())
        except ValueError as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed embeddings answer") from exc
        except Exception as exc:
            raise map_error(self._who(), exc) from exc
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        return answer, headers.get("x-amzn-bedrock-input-token-count")

    def _converse_stream(self, key: ClientKey, kwargs: dict[str, Any]) -> EventReader:
        if self._closed:
            raise self._shut_down()
        try:
            response = self._clients.get(key).converse_stream(**kwargs)
        except Exception as exc:
            raise map_error(self._who(), exc) from exc
        reader = EventReader(
            response["stream"],
            lambda exc: map_error(self._who(), exc, broken="stream broken"),
            self._forget,
        )
        with self._readers_lock:
            if not self._closed:
                self._readers.add(reader)
                return reader
        reader.close(self._shut_down())  # aclose() ran while this call was under way
        raise self._shut_down()

    def _forget(self, reader: EventReader) -> None:
        with self._readers_lock:
            self._readers.discard(reader)

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

    def _key(self, model: ModelSpec) -> ClientKey:
        options = model.options
        endpoint = options.get("endpoint_url") or self.endpoint_url
        return ClientKey(
            region=self._region(model),
            endpoint_url=str(endpoint) if endpoint else None,
            connect_timeout=float(
                options.get("connect_timeout_seconds", self.connect_timeout_seconds)
            ),
            read_timeout=float(options.get("timeout_seconds", self.timeout_seconds)),
        )

    async def _require_credentials(self, model: ModelSpec) -> None:
        if not self._region(model):
            raise ApiError(Code.FAILED_PRECONDITION, f"{self._who()}: no AWS region; {REGION_HELP}")
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
