"""boto3 bedrock-runtime clients, one per distinct (region, endpoint, timeouts), and the
reader of a ConverseStream's events, closable from the event loop's thread."""

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.config import Config

from errors import ApiError, Code
from providers.aws_credentials import CredentialChain

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient


@dataclass(frozen=True, slots=True)
class ClientKey:
    region: str
    endpoint_url: str | None
    connect_timeout: float
    read_timeout: float


class Clients:
    """The provider's clients, built on first use and kept for its life; thread-safe."""

    def __init__(
        self, session: botocore.session.Session, chain: CredentialChain, max_pool: int
    ) -> None:
        self._session = session
        self._chain = chain
        self._max_pool = max_pool
        self._clients: dict[ClientKey, BedrockRuntimeClient] = {}
        self._lock = threading.Lock()

    def get(self, key: ClientKey) -> "BedrockRuntimeClient":
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:  # botocore sessions are not thread-safe for client creation
            client = self._clients.get(key)
            if client is None:
                self._session.register_component(
                    "credential_provider", self._chain.credential_provider()
                )
                config = Config(
                    connect_timeout=key.connect_timeout,
                    read_timeout=key.read_timeout,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                    max_pool_connections=self._max_pool,
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

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


class EventReader:
    """A ConverseStream's events for a worker thread, closable from the event loop's thread.

    `map_error` turns a read failure into ApiError or Retryable; `on_close` is
    told once, when the reader closes.
    """

    def __init__(
        self,
        stream: Any,
        map_error: Callable[[Exception], Exception],
        on_close: Callable[["EventReader"], None],
    ) -> None:
        self._stream = stream
        self._map_error = map_error
        self._on_close = on_close
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
            raise self._map_error(exc) from exc
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
        self._on_close(self)
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
