"""Benchmark: what metrics and request logs cost, and what a second worker gives.

wrk drives the OpenAI door (`POST /openai/v1/chat/completions`, echo model:
no upstream latency, so the gateway's own cost is all there is) against:

- one process with per-request metrics and the access log on (the default),
- the same with both off (`request_metrics: false`, `access_log: false`), the baseline,
- two workers (`--workers 2`), everything on.

Each configuration is a fresh server on its own SQLite file, warmed up, then
measured ROUNDS times for DURATION seconds at CONNECTIONS connections; the
figures are medians, and ratios against the baseline measured in this run.

    make bench        # or: python -m bench.observability [--duration 5]
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import ADMIN_SECRET, LiveServer

CONNECTIONS = 16
THREADS = 2
ROUNDS = 3
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


def wrk(url: str, script: Path, seconds: int) -> tuple[float, float]:
    """(requests/s, p50 latency in ms) of one wrk run; fails on any non-2xx answer."""
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
    return rps, p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is needed (Debian: apt-get install wrk)")
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "chat.lua"
        script.write_text(SCRIPT)
        for name, env in CONFIGURATIONS.items():
            workdir = Path(tmp) / f"run{len(results)}"
            workdir.mkdir()
            quiet = {"PRIVATELLM_LOG_LEVEL": "warning", **env}
            with LiveServer(workdir, quiet) as server:
                wrk(server.url, script, 2)  # warm-up
                runs = [wrk(server.url, script, args.duration) for _ in range(ROUNDS)]
            results[name] = (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
            )
    base_rps, base_p50 = results["off (baseline)"]
    print(
        f"OpenAI door, echo model, {CONNECTIONS} connections, "
        f"median of {ROUNDS} x {args.duration}s (wrk)"
    )
    print(f"{'configuration':<28}{'req/s':>10}{'vs off':>9}{'p50 ms':>9}{'vs off':>9}")
    for name, (rps, p50) in results.items():
        print(f"{name:<28}{rps:>10.0f}{rps / base_rps:>9.2f}{p50:>9.2f}{p50 / base_p50:>9.2f}")


if __name__ == "__main__":
    main()
