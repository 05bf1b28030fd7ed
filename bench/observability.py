"""Benchmark: what metrics and request logs cost, and what a second worker gives.

wrk drives the OpenAI door (`POST /openai/v1/chat/completions`, echo model:
no upstream latency, so the gateway's own cost is all there is) against:

- one process with per-request metrics and the access log on (the default),
- the same with both off (`request_metrics: false`, `access_log: false`), the baseline,
- two workers (`--workers 2`), everything on.

Each configuration is a fresh server on its own SQLite file, all started and
warmed up first, then measured in interleaved rounds (ROUNDS x DURATION
seconds each, CONNECTIONS connections; every other round in reverse order, so
no configuration always runs right after the same other one); the figures are
medians, and ratios against the baseline measured in this run. Besides
requests/s and p50, the CPU the server's processes spent per request (/proc),
which the machine's other load moves least: the cost of metrics and logs is
checked against the target (under 10 %) on it.

    make bench        # or: python -m bench.observability [--duration 5]
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.processes import tree_cpu_seconds
from tests.conftest import ADMIN_SECRET, LiveServer

CONNECTIONS = 16
THREADS = 2
ROUNDS = 5
TARGET = 0.10  # metrics and logs may cost at most this share of the baseline
BODY = json.dumps({"model": "echo", "messages": [{"role": "user", "content": "Hello there"}]})
SCRIPT = f"""
wrk.method = "POST"
wrk.body = '{BODY}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {ADMIN_SECRET}"
"""
CONFIGURATIONS = {
    "off (baseline)": {"PRIVATELLM_REQUEST_METRICS": "false", "PRIVATELLM_ACCESS_LOG": "false"},
    "metrics + logs": {},
    "metrics + logs, 2 workers": {"PRIVATELLM_WORKERS": "2"},
}


def wrk(url: str, script: Path, seconds: int) -> tuple[float, float, int]:
    """(requests/s, p50 latency in ms, requests) of one wrk run; fails on any non-2xx answer."""
    load = ["-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    output = subprocess.run(
        ["wrk", *load, "-s", str(script), url + "/openai/v1/chat/completions"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError("wrk saw error answers:\n" + output)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rps, p50, requests


def measured(server: LiveServer, script: Path, seconds: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, CPU ms per request of the server's processes) of one wrk run."""
    before = sum(tree_cpu_seconds(server.process.pid).values())
    rps, p50, requests = wrk(server.url, script, seconds)
    spent = sum(tree_cpu_seconds(server.process.pid).values()) - before
    return rps, p50, spent * 1000 / max(1, requests)


def middleware_cost(calls: int = 20_000) -> tuple[float, float]:
    """Microseconds per request of ObservedRequests (metrics + access line) around an app that
    does nothing, and of the same with both off; CPU time in this process, interleaved."""
    import asyncio
    import logging
    import time

    from domain.drain import Drain
    from server import metrics
    from server.observer import ObservedRequests
    from server.request_log import JsonFormatter

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    # The access line formatted as in prod (JSON) and written, to /dev/null.
    sink = logging.StreamHandler(open(os.devnull, "w"))
    sink.setFormatter(JsonFormatter())
    access = logging.getLogger("privatellm.access")
    access.addHandler(sink)
    access.setLevel(logging.INFO)
    access.propagate = False
    endpoint = metrics.MetricsEndpoint(None, lambda _secret: None)
    operations = {"OpenAIService_CreateChatCompletion": ("POST", "/openai/v1/chat/completions")}

    def observed(on: bool) -> ObservedRequests:
        return ObservedRequests(
            app,
            operations=operations,
            endpoint=endpoint,
            drain=Drain(),
            record_metrics=on,
            access_log=on,
        )

    async def run(middleware: ObservedRequests) -> float:
        started = time.process_time()
        for _ in range(calls):
            scope = {
                "type": "http",
                "method": "POST",
                "path": "/openai/v1/chat/completions",
                "headers": [],
                "extensions": {
                    "connexion_routing": {"operation_id": "OpenAIService_CreateChatCompletion"}
                },
            }
            await middleware(scope, receive, send)
        return (time.process_time() - started) / calls * 1e6

    on, off = observed(True), observed(False)
    costs: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(5):
        costs[True].append(asyncio.run(run(on)))
        costs[False].append(asyncio.run(run(off)))
    return statistics.median(costs[True]), statistics.median(costs[False])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is needed (Debian: apt-get install wrk)")
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in CONFIGURATIONS}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        script = Path(tmp) / "chat.lua"
        script.write_text(SCRIPT)
        servers = {}
        for index, (name, env) in enumerate(CONFIGURATIONS.items()):
            workdir = Path(tmp) / f"run{index}"
            workdir.mkdir()
            quiet = {"PRIVATELLM_LOG_LEVEL": "warning", **env}
            servers[name] = stack.enter_context(LiveServer(workdir, quiet))
            wrk(servers[name].url, script, 2)  # warm-up
        # Rounds interleave the configurations, so a change in the machine's load
        # (a shared machine) falls on all of them alike.
        order = list(servers.items())
        for _ in range(ROUNDS):
            for name, server in order:
                runs[name].append(measured(server, script, args.duration))
            order.reverse()
    results = {
        name: tuple(statistics.median(r[i] for r in done) for i in range(3))
        for name, done in runs.items()
    }
    base_rps, base_p50, base_cpu = results["off (baseline)"]
    print(
        f"OpenAI door, echo model, {CONNECTIONS} connections, "
        f"median of {ROUNDS} x {args.duration}s (wrk)"
    )
    print(
        f"{'configuration':<28}{'req/s':>10}{'vs off':>9}{'p50 ms':>9}{'vs off':>9}"
        f"{'cpu ms':>9}{'vs off':>9}"
    )
    for name, (rps, p50, cpu) in results.items():
        print(
            f"{name:<28}{rps:>10.0f}{rps / base_rps:>9.2f}{p50:>9.2f}{p50 / base_p50:>9.2f}"
            f"{cpu:>9.2f}{cpu / base_cpu:>9.2f}"
        )
    # Judged on CPU per request: what caps requests/s once the server is CPU-bound, and
    # what other jobs on the machine move least (they move wall-clock requests/s a lot).
    # Two estimates: the ratio of the medians (the table's), and the median of each round's
    # on/off ratio (two runs a few seconds apart, so a slow drift in load cancels out).
    on_rps, _on_p50, on_cpu = results["metrics + logs"]
    of_medians = on_cpu / base_cpu - 1
    paired = statistics.median(
        on[2] / off[2]
        for on, off in zip(runs["metrics + logs"], runs["off (baseline)"], strict=True)
    )
    estimates = (of_medians, paired - 1)
    if max(estimates) < TARGET:
        verdict = "within the target"
    elif min(estimates) >= TARGET:
        verdict = "OVER the target"
    else:
        verdict = "undecided: the estimates straddle the target"
    print(
        f"metrics + logs, CPU per request: {of_medians * 100:+.1f} % (ratio of the medians), "
        f"{(paired - 1) * 100:+.1f} % (median of the rounds' paired ratios); target under "
        f"{TARGET * 100:.0f} %: {verdict}; requests/s {(on_rps / base_rps - 1) * 100:+.1f} %"
    )
    with_both, without = middleware_cost()
    added = with_both - without
    print(
        f"observer middleware, CPU per request: {with_both:.1f} us with metrics and logs, "
        f"{without:.1f} us without: {added:.1f} us added, "
        f"{added / (base_p50 * 1000) * 100:.2f} % of the baseline's p50 and "
        f"{added * base_rps / 1e6 * 100:.2f} % of a core at its req/s"
    )


if __name__ == "__main__":
    main()
