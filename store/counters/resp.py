"""One pipelined connection to Redis for the limits' counters: commands are written as they
come and replies matched to them in order, packed and parsed by hiredis (C).

Why not redis-py's asyncio client, which the counters used first: measured on
this project's admission call, its connection pool, timeouts and pure-Python
command path cost about 100 µs of CPU per command, against about 15 µs for
the same command packed and parsed by hiredis on an asyncio protocol. An
admission makes one call per request, so that difference is most of what
limits add to a request. Concurrent callers share the connection (Redis
answers in order), which also puts their commands in one write under load.

A call that gets no answer within `timeout` seconds, or a connection that
breaks, fails every call waiting on it with `RedisUnreachable` and the
connection is dropped; the next call opens a new one. The timeout is watched by
one timer per connection, not one per call (asyncio.timeout cost about 8 µs a
call, more than the rest of the call's client side).
"""

import asyncio
import collections
import ssl
from typing import Any
from urllib.parse import unquote, urlparse

import hiredis


class RedisUnreachable(Exception):
    """No connection to Redis, or no answer in time."""


class ReplyError(Exception):
    """Redis answered with an error (the message is Redis's)."""


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.reader = hiredis.Reader(replyError=ReplyError)
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.sent_at: collections.deque[float] = collections.deque()  # loop time, per waiting
        self.watchdog: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while self.waiting:
            try:
                reply = self.reader.gets()
            except hiredis.ProtocolError as exc:  # not Redis speaking: give up on this one
                self.fail(RedisUnreachable(f"Redis sent what is not its protocol: {exc}"))
                if self.transport is not None:
                    self.transport.close()
                return
            if reply is False:
                return
            self.sent_at.popleft()
            future = self.waiting.popleft()
            if not future.done():
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("connection closed by Redis")
        self.fail(RedisUnreachable(f"connection to Redis lost: {self.lost}"))

    def fail(self, error: BaseException) -> None:
        self.sent_at.clear()
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)


class RedisConnection:
    """`await call("EVALSHA", sha, ...)`: the reply, ReplyError, or RedisUnreachable."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("redis", "rediss"):
            raise ValueError(f"limits.redis_url must be redis:// or rediss://, not {url!r}")
        self._host = parsed.hostname or "127.0.0.1"
        self._port = parsed.port or 6379
        self._ssl = ssl.create_default_context() if parsed.scheme == "rediss" else None
        self._username = unquote(parsed.username) if parsed.username else None
        self._password = unquote(parsed.password) if parsed.password else None
        path = parsed.path.strip("/")
        if path and not path.isdigit():
            raise ValueError(f"limits.redis_url: the database must be a number, not {path!r}")
        self._db = int(path or 0)
        self._timeout = timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Task[_Protocol] | None = None

    async def call(self, *args: Any) -> Any:
        protocol = self._protocol
        if protocol is None or protocol.lost is not None:
            protocol = await self._connect()
        reply = await self._send(protocol, args)
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    async def aclose(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        if self._protocol is not None:
            self._drop(self._protocol, RedisUnreachable("the connection was closed"))

    def _send(self, protocol: _Protocol, args: tuple[Any, ...]) -> "asyncio.Future[Any]":
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        protocol.waiting.append(future)
        protocol.sent_at.append(loop.time())
        if protocol.watchdog is None:
            protocol.watchdog = loop.call_later(self._timeout, self._watch, protocol)
        assert protocol.transport is not None
        protocol.transport.write(hiredis.pack_command(args))
        return future

    def _watch(self, protocol: _Protocol) -> None:
        """Drops the connection if its oldest call has waited the timeout, else looks again
        when it will have."""
        protocol.watchdog = None
        if not protocol.sent_at:
            return
        loop = asyncio.get_running_loop()
        waited = loop.time() - protocol.sent_at[0]
        if waited >= self._timeout:
            self._drop(protocol, RedisUnreachable(f"no answer from Redis in {self._timeout:g} s"))
            return
        protocol.watchdog = loop.call_later(self._timeout - waited, self._watch, protocol)

    def _drop(self, protocol: _Protocol, error: BaseException) -> None:
        if self._protocol is protocol:
            self._protocol = None
        protocol.fail(error)
        if protocol.transport is not None:
            protocol.transport.close()

    async def _connect(self) -> _Protocol:
        # Concurrent callers share one attempt rather than each opening a connection.
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._open())
        task = self._connecting
        try:
            return await asyncio.shield(task)
        finally:
            if task.done() and self._connecting is task:
                self._connecting = None

    async def _open(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        protocol: _Protocol | None = None
        try:
            async with asyncio.timeout(self._timeout):
                _, protocol = await loop.create_connection(
                    _Protocol, self._host, self._port, ssl=self._ssl
                )
                hello: list[tuple[Any, ...]] = []
                if self._password is not None:
                    auth = (self._username, self._password) if self._username else (self._password,)
                    hello.append(("AUTH", *auth))
                if self._db:
                    hello.append(("SELECT", self._db))
                for args in hello:
                    reply = await self._send(protocol, args)
                    if isinstance(reply, ReplyError):
                        protocol.transport.close()  # type: ignore[union-attr]
                        raise RedisUnreachable(f"Redis refused {args[0]}: {reply}")
        except (OSError, TimeoutError) as exc:
            if protocol is not None and protocol.transport is not None:
                protocol.transport.close()  # connected, but AUTH or SELECT got no answer
            where = f"{self._host}:{self._port}"
            raise RedisUnreachable(f"cannot connect to Redis at {where}: {exc}") from exc
        self._protocol = protocol
        return protocol
