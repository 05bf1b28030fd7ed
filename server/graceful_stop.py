"""SIGTERM (or Ctrl-C) starts a drain before uvicorn's own shutdown, so the drain can be seen.

uvicorn's shutdown closes the listener first: a load balancer's readiness
probe would then get "connection refused", indistinguishable from a crash,
and the draining state could never be observed. So the app's lifespan wraps
uvicorn's signal handler (installed before the lifespan starts, in every
worker process) with this one:

1. the process is marked draining at once: /readyz answers 14, every other
   new request answers 14 with `Retry-After` and `Connection: close`;
2. requests in flight get up to `drain_timeout_seconds` to finish;
3. streams still running then end with an SSE `error` event (14) and are
   settled FAILED with their text so far (domain.drain); they get a few
   seconds to write that;
4. only then is uvicorn's handler called, which closes the listener and
   stops the process as usual.

A second signal skips what is left and stops at once.
"""

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from domain.drain import Drain

log = logging.getLogger("privatellm.server")
SIGNALS = (signal.SIGTERM, signal.SIGINT)
# After interrupting the streams: time for them to send their error event and settle.
SETTLE_SECONDS = 5.0

Handler = Callable[[int, FrameType | None], Any]


class GracefulStop:
    def __init__(self, drain: Drain, timeout_seconds: float) -> None:
        self._drain = drain
        self._timeout = timeout_seconds
        self._previous: dict[int, Any] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> bool:
        """Wraps the current SIGTERM/SIGINT handlers (uvicorn's); False off the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        self._loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            self._previous[sig] = signal.signal(sig, self._on_signal)
        return True

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self._task is not None or self._loop is None:  # a second signal: stop now
            self._pass_on(sig, frame)
            return
        self._drain.begin()  # at once, in the handler: the next request already sees it
        self._task = self._loop.create_task(self._run(sig))

    async def _run(self, sig: int) -> None:
        drain = self._drain
        log.warning(
            "draining: %d requests in flight, up to %gs to finish",
            drain.requests_in_flight,
            self._timeout,
        )
        if not await drain.wait_idle(self._timeout):
            interrupted = drain.interrupt_streams()
            log.warning("drain timeout: %d streams end with code 14", interrupted)
            await drain.wait_idle(SETTLE_SECONDS)
        log.warning("drained; stopping")
        self._pass_on(sig, None)

    def _pass_on(self, sig: int, frame: FrameType | None) -> None:
        previous = self._previous.get(sig)
        if callable(previous):
            previous(sig, frame)
            return
        signal.signal(sig, signal.SIG_DFL)  # not under uvicorn: what the signal would have done
        signal.raise_signal(sig)
