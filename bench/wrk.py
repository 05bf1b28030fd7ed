"""wrk as the bench's load generator: a Lua script per target, results read back as JSON.

wrk (Debian's package) is a C event loop that costs far less CPU than the
Python servers it loads, so the figures are the server's, not the client's.
The Lua script sets the method, headers and body, may vary the path per
request, and its `done()` prints the summary as one JSON line.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "the overhead benchmark needs wrk, the HTTP load generator: "
    "`sudo apt-get install wrk` (Debian/Ubuntu) or `brew install wrk` (macOS)"
)

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(f"bench: {INSTALL_HINT}")
    return path


@dataclass(frozen=True)
class Load:
    """One request shape: method, path (a Lua format with one %d for a varying id), body."""

    method: str = "GET"
    path: str = "/"
    body: str | None = None
    token: str | None = None
    # When set, request i goes to path % ((offset + i) mod pool): no two in flight share one.
    pool: int = 0
    offset: int = 0

    def script(self) -> str:
        lines = [f"wrk.method = {_lua(self.method)}"]
        if self.body is not None:
            lines.append(f"wrk.body = {_lua(self.body)}")
            lines.append('wrk.headers["Content-Type"] = "application/json"')
        if self.token:
            lines.append(f'wrk.headers["Authorization"] = {_lua("Bearer " + self.token)}')
        if self.pool:
            lines += [
                "local counter = 0",
                "request = function()",
                "  counter = counter + 1",
                f"  local id = {self.offset} + (counter % {self.pool})",
                f"  return wrk.format(nil, string.format({_lua(self.path)}, id))",
                "end",
            ]
        else:
            lines.append(f"wrk.path = {_lua(self.path)}")
        return "\n".join(lines) + "\n" + _DONE


@dataclass(frozen=True)
class Result:
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # connect/read/write/timeout errors and non-2xx answers

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for this text


def run(url: str, load: Load, connections: int, seconds: float, workdir: Path) -> Result:
    script = workdir / "load.lua"
    script.write_text(load.script())
    command = [
        require_wrk(),
        "-t1",  # one thread drives up to 50 connections; spare the cores for the servers
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("WRK_RESULT "))
    errors = sum(data[key] for key in ("connect", "read", "write", "status", "timeout"))
    return Result(
        connections=connections,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )
