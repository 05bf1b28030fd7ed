"""What every local upstream fake needs: a threaded HTTP server on 127.0.0.1 for the length
of a test, started and stopped with `with`, plus the word splitting the fakes answer in.

A fake subclasses `LocalServer` and passes its request handler class; `stop()` cuts
short any scripted delay taken through `_sleep`, so a teardown never waits on one.
A delay taken through `_pause` in the middle of an answer also ends when the client
hangs up, which sets `disconnected` at once: a test waiting for that event does not
depend on how long the scripted delay is (nor on the fake's next write failing).
"""

import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


def words(text: str) -> list[str]:
    """`text` in pieces of one word, each with its trailing space (how the fakes stream)."""
    pieces = text.split(" ")
    return [piece + " " for piece in pieces[:-1]] + [pieces[-1]] if text else []


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away is a scenario here, not a failure worth a traceback.
        return None


class LocalServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.disconnected = threading.Event()  # a client dropped a stream midway
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # cuts short any scripted delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _pause(self, seconds: float, connection: socket.socket) -> bool:
        """Wait up to `seconds` mid-answer; False (and `disconnected` set) if the client left."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            readable, _, _ = select.select([connection], [], [], min(left, 0.05))
            try:
                gone = bool(readable) and not connection.recv(1, socket.MSG_PEEK)
            except OSError:  # reset by the client
                gone = True
            if gone:
                self.disconnected.set()
                return False
        return True
