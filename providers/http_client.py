"""The HTTP client the upstream providers speak through: one aiohttp session (a connection
pool kept across requests) per provider, and the few failures a provider tells apart.

Why aiohttp: measured with bench/overhead.py's pass-through floors on 2 cores,
an aiohttp pool serves several times the requests per second of an
httpx.AsyncClient at 16 and 50 concurrent requests, where httpx's pool
degrades (the issue that introduced this module has the figures).

aiohttp's exceptions stay inside this module (like httpx's
`map_httpcore_exceptions`); callers see three:

- `TransportTimeout`: no answer (or no next piece of the body) in time;
- `TransportUnreachable`: no connection, or it dropped before the answer's
  status arrived: nothing was received, so trying again is safe;
- `TransportBroken`: the connection failed while the body was being read.

Interface: `HTTPClient(timeouts).request(method, url, body=, headers=, timeouts=)`
returns an `UpstreamResponse` (`status`, `headers`, `await read()`,
`line_batches()`, `release()`, `close()`); `await HTTPClient.aclose()` at shutdown.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import aiohttp

DEFAULT_MAX_CONNECTIONS = 100  # per provider; callers beyond it wait for a free connection


class TransportError(Exception):
    """The HTTP exchange failed; the message says how (never a secret or a body)."""


class TransportTimeout(TransportError):
    pass


class TransportUnreachable(TransportError):
    pass


class TransportBroken(TransportError):
    pass


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to connect, and to wait for the answer's head or each next piece of its body."""

    connect: float
    read: float

    def _aiohttp(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=None, sock_connect=self.connect, sock_read=self.read)


class UpstreamResponse:
    """An answer whose body is not read yet. `release()` after reading it whole returns the
    connection to the pool; `close()` drops it (an abandoned stream stops the upstream)."""

    def __init__(self, raw: aiohttp.ClientResponse) -> None:
        self._raw = raw
        self.status = raw.status
        self.headers: Mapping[str, str] = raw.headers

    async def read(self) -> bytes:
        with _body_errors():
            return await self._raw.read()

    async def line_batches(self) -> AsyncIterator[list[str]]:
        """The body as text lines (UTF-8), line ends removed, as they arrive: each batch holds
        the lines one network read completed, so a caller can pass on together what arrived
        together."""
        rest = b""
        with _body_errors():
            async for piece in self._raw.content.iter_any():
                rest += piece
                *complete, rest = rest.split(b"\n")
                if complete:
                    yield [line.removesuffix(b"\r").decode("utf-8", "replace") for line in complete]
        if rest:
            yield [rest.removesuffix(b"\r").decode("utf-8", "replace")]

    def release(self) -> None:
        self._raw.release()

    def close(self) -> None:
        self._raw.close()


class HTTPClient:
    """Built anywhere; the aiohttp session is opened on first use, inside the running loop."""

    def __init__(
        self, timeouts: Timeouts, *, max_connections: int = DEFAULT_MAX_CONNECTIONS
    ) -> None:
        self.timeouts = timeouts
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
    ) -> UpstreamResponse:
        """The answer once its status and headers arrived (any status: the caller decides)."""
        limits = (timeouts or self.timeouts)._aiohttp()
        try:
            raw = await self._open_session().request(
                method, url, data=body, headers=headers, timeout=limits, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TransportTimeout(type(exc).__name__) from exc
        except aiohttp.ClientError as exc:  # refused, reset, dropped before the status line
            raise TransportUnreachable(type(exc).__name__) from exc
        return UpstreamResponse(raw)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            # No cookies or redirects: an upstream API answers each call on its own.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session


@contextmanager
def _body_errors() -> Iterator[None]:
    try:
        yield
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise TransportTimeout(type(exc).__name__) from exc
    except (aiohttp.ClientError, asyncio.IncompleteReadError) as exc:
        raise TransportBroken(type(exc).__name__) from exc
