"""Benchmark: what admission against limits adds to a request, limits on against limits off.

One server process (ENV=test, the echo model with no delay) and two keys of
two users: one with no limits at all (admission checks nothing and touches no
counter) and one with requests and tokens per minute and daily token and cost
budgets set on the key and on its user (8 counters charged and settled per
request). Requests go one at a time (c=1) through the OpenAI-compatible door,
alternating keys so both see the same machine; the figure is the difference of
the median latencies, in the same run. Counters in Redis (production) unless
`--counters memory`.

    python -m bench.admission_overhead [--requests 2000] [--counters redis|memory]
"""

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN_SECRET, LiveServer

BIG = 1_000_000_000
LIMITS = {
    "requestsPerMinute": BIG,
    "tokensPerMinute": BIG,
    "tokensPerDay": str(BIG),
    "costPerDay": 1e9,
}
CHAT = {"model": "echo", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 8}


def key(server: LiveServer, user: str, limits: dict[str, object] | None) -> str:
    admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    body: dict[str, object] = {"user": user}
    if limits:
        body["limits"] = limits
        set_user = httpx.patch(
            f"{server.url}/v1/users/{user}/limits", json={"limits": limits}, headers=admin
        )
        set_user.raise_for_status()
    created = httpx.post(f"{server.url}/v1/apiKeys", json=body, headers=admin)
    created.raise_for_status()
    secret: str = created.json()["secret"]
    return secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per key")
    parser.add_argument("--counters", choices=["redis", "memory"], default="redis")
    args = parser.parse_args()
    env = {
        "PRIVATELLM_LIMITS__COUNTERS": args.counters,
        "PRIVATELLM_LIMITS__REDIS_KEY_PREFIX": f"bench-{secrets.token_hex(4)}/",
        "PRIVATELLM_VALIDATE_RESPONSES": "false",
    }
    with tempfile.TemporaryDirectory() as workdir, LiveServer(Path(workdir), env) as server:
        keys = {
            "off": key(server, "bench-off", None),
            "on": key(server, "bench-on", LIMITS),
        }
        latencies: dict[str, list[float]] = {"off": [], "on": []}
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for i in range(args.requests * 2 + 200):
                which = "on" if i % 2 else "off"
                started = time.perf_counter()
                answer = client.post(
                    "/openai/v1/chat/completions",
                    json=CHAT,
                    headers={"Authorization": f"Bearer {keys[which]}"},
                )
                elapsed = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"{which}: {answer.status_code} {answer.text}")
                if i >= 200:  # the first 100 of each warm up connections and caches
                    latencies[which].append(elapsed)
    off = statistics.median(latencies["off"]) * 1000
    on = statistics.median(latencies["on"]) * 1000
    print(f"admission overhead, c=1, {args.requests} requests per key, {args.counters} counters")
    print(f"  p50 limits off: {off:.3f} ms")
    print(f"  p50 limits on:  {on:.3f} ms")
    print(f"  added by limits: {on - off:+.3f} ms (target <= 0.3 ms)")


if __name__ == "__main__":
    main()
