"""Logs: one line per request and one per server-side error, as text or JSON lines.

`log_format` picks the shape: `text` (the default, what a developer reads
under ENV=local) or `json` (config/prod.yaml: one object per line, for a log
pipeline). What is logged is chosen here, field by field: request id,
operation, method, path template, status, code, latency, user, key id,
model, tokens. Never a secret, a key hash or message content: no request or
response body is read, and the database engines hide SQL parameters
(store.database), which would otherwise carry message texts and key hashes
into every logged database error.
"""

import asyncio
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from server.config import Settings

ACCESS = logging.getLogger("privatellm.access")
ERRORS = logging.getLogger("privatellm.errors")
_PID = os.getpid()
# gRPC codes whose failures are the server's or an upstream's, worth an error line of their own.
SERVER_SIDE_CODES = frozenset({2, 4, 13, 14, 15})


@dataclass(slots=True)
class RequestRecord:
    """What one request did, filled in as it runs (auth, routing, the turn) and logged at its end.

    Handlers, Connexion's error handlers and stream bodies may run in copied
    contexts (threads, task groups): they mutate this one object, found
    through server.context.request_record_var, rather than setting variables.
    """

    method: str
    path: str
    request_id: str = "-"
    operation: str = ""
    status: int = 0
    code: int = 0
    message: str = ""  # the envelope's message, for server-side failures only
    user: str = ""
    key_id: str = ""
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    trace_id: str = ""

    def fields(self, latency_ms: float) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "request_id": self.request_id,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "code": self.code,
            "latency_ms": round(latency_ms, 2),
            "pid": _PID,
        }
        if self.user:
            fields["user"] = self.user
            fields["key_id"] = self.key_id
        if self.model:
            fields["model"] = self.model
            fields["tokens_in"] = self.tokens_in
            fields["tokens_out"] = self.tokens_out
        if self.trace_id:
            fields["trace_id"] = self.trace_id
        return fields


def log_request(record: RequestRecord, latency_ms: float) -> None:
    fields = record.fields(latency_ms)
    ACCESS.info("request", extra={"fields": fields})
    if record.code in SERVER_SIDE_CODES:
        error: dict[str, Any] = {
            "request_id": record.request_id,
            "operation": record.operation,
            "code": record.code,
            "error": record.message,
            "pid": _PID,
        }
        if record.trace_id:
            error["trace_id"] = record.trace_id
        ERRORS.error("request failed", extra={"fields": error})


class _Seconds:
    """A log line's time down to the second, formatted once a second rather than per line
    (datetime or strftime formatting was a fifth of what an access line cost)."""

    def __init__(self, render: Callable[[int], str]) -> None:
        self._render = render
        self._second = -1
        self._text = ""

    def __call__(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second, self._text = second, self._render(second)
        return self._text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's fields, exc."""

    def __init__(self) -> None:
        super().__init__()
        self._seconds = _Seconds(
            lambda second: datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        )

    def _time(self, created: float) -> str:
        """UTC to the millisecond, as `datetime.fromtimestamp(created, UTC).isoformat(
        timespec="milliseconds")` writes it (microseconds rounded, then cut)."""
        second = int(created)
        micros = round((created - second) * 1_000_000)
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        return f"{self._seconds(second)}.{micros // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # what orjson refuses (a lone surrogate, a huge integer): still a line
            return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`: for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._seconds = _Seconds(
            lambda second: time.strftime(self.default_time_format, self.converter(second))
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """logging's own `2026-12-06 07:13:32,983` (local time)."""
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        return f"{self._seconds(record.created)},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if not fields:
            return text
        head, newline, rest = text.partition("\n")  # a traceback stays below the fields
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{head} {pairs}{newline}{rest}"


class LineBatchHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes the lines logged during one turn of the event loop with
    one write, at the end of that turn, instead of one write (a system call) per line: at
    16 requests at a time that is one write for several access lines. Lines logged outside
    the loop's thread, or with no loop running, are written at once; so is everything left
    when logging shuts down. A process killed outright loses at most the lines of the turn
    it was in."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._lines: list[str] = []
        self._flush_scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._lines.append(line)
        if loop is None:
            self._write()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush_from_loop)

    def _flush_from_loop(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._flush_scheduled = False
            self._write()

    def _write(self) -> None:
        if not self._lines:
            return
        text, self._lines = "".join(self._lines), []
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # a closed or full stream must not take a request down
            if logging.raiseExceptions:
                traceback.print_exc(file=sys.stderr)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write()
            super().flush()


def configure_logging(settings: Settings) -> None:
    """The root handler on stderr in the configured format; uvicorn's loggers go through it."""
    # What no formatter here prints, LogRecord need not look up on every call (the logging
    # HOWTO's "Optimization"): the calling frame, the thread, the process and its name.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = LineBatchHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # Our access line replaces uvicorn's; the request lines stay at INFO whatever the level.
    logging.getLogger("uvicorn.access").disabled = True
    ACCESS.setLevel(logging.INFO)
