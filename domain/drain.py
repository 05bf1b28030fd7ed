"""A graceful stop: what is in flight, and how to end the streams that outlive the drain timeout.

The server (server.serve) marks the process draining on SIGTERM: readiness
fails and new requests answer UNAVAILABLE (14) while the requests in flight
finish. Streams that are still running when the drain timeout passes are
interrupted here: their wait for the next upstream event ends with
UNAVAILABLE (14), which the stream's own error path turns into an SSE
`error` event and a FAILED answer with the text so far (not CANCELLED: the
client did not leave).

Interrupting uses one `asyncio.timeout(None)` scope per wait, rescheduled to
"now": the scope cancels the wait and turns it into TimeoutError inside the
stream's own task, so nothing outside the stream is cancelled.
"""

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

from errors import ApiError, Code

T = TypeVar("T")
SHUTTING_DOWN = "the server is shutting down; retry the request (another instance will answer)"


def shutting_down() -> ApiError:
    return ApiError(Code.UNAVAILABLE, SHUTTING_DOWN, headers={"Retry-After": "1"})


class _Wait:
    __slots__ = ("interrupted", "scope")

    def __init__(self) -> None:
        self.interrupted = False
        self.scope: asyncio.Timeout | None = None


class Drain:
    """One per process: requests and streams in flight, and whether the process is stopping."""

    def __init__(self) -> None:
        self.draining = False
        self._requests = 0
        self._streams: set[_Wait] = set()
        self._changed = asyncio.Event()
        # Called as a stream starts and ends (the streams-in-flight gauge).
        self.on_stream: Callable[[int], None] = lambda _delta: None

    @property
    def requests_in_flight(self) -> int:
        return self._requests

    @property
    def streams_in_flight(self) -> int:
        return len(self._streams)

    def request_started(self) -> None:
        self._requests += 1

    def request_finished(self) -> None:
        self._requests -= 1
        self._changed.set()

    def begin(self) -> None:
        self.draining = True

    async def wait_idle(self, seconds: float) -> bool:
        """Waits until no request is in flight, at most `seconds`; True when idle."""
        try:
            async with asyncio.timeout(seconds):
                while self._requests > 0:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return False
        return True

    def interrupt_streams(self) -> int:
        """Ends every stream's current (or next) wait with UNAVAILABLE; returns how many."""
        now = asyncio.get_running_loop().time()
        for wait in self._streams:
            wait.interrupted = True
            if wait.scope is not None:
                wait.scope.reschedule(now)
        return len(self._streams)

    async def guard(self, events: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
        """`events`, interruptible by `interrupt_streams`; closes `events` however it ends."""
        wait = _Wait()
        self._streams.add(wait)
        self.on_stream(1)
        try:
            while True:
                if wait.interrupted:
                    raise shutting_down()
                try:
                    async with asyncio.timeout(None) as scope:
                        wait.scope = scope
                        event = await anext(events)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    if wait.interrupted:
                        raise shutting_down() from None
                    raise
                finally:
                    wait.scope = None
                yield event
        finally:
            self._streams.discard(wait)
            self.on_stream(-1)
            await events.aclose()
