"""Benchmark: what admission against limits adds to a request, limits on against limits off.

One server process (ENV=test, the echo model with no delay), its own Redis
(redis-server on a free port, so that nobody else's load lands on it) and two
keys of two users: one with no limits at all (admission checks nothing and
touches no counter) and one with requests and tokens per minute and daily token
and cost budgets set on the key and on its user (8 counters checked and charged
per request, and their settlements). Requests go one at a time (c=1) through
the OpenAI-compatible door, alternating keys in short blocks so both see the
same machine; the figures are the difference of the median latencies, and the
CPU per request of the server process and of Redis, in the same run. Counters
in Redis (production) unless `--counters memory`.

    python -m bench.admission_overhead [--requests 2000] [--counters redis|memory]
"""

import argparse
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis as redis_client

from tests.conftest import ADMIN_SECRET, LiveServer
from tests.limits.conftest import RedisProcess

BIG = 1_000_000_000
LIMITS = {
    "requestsPerMinute": BIG,
    "tokensPerMinute": BIG,
    "tokensPerDay": str(BIG),
    "costPerDay": 1e9,
}
CHAT = {"model": "echo", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 8}
BLOCK = 20  # requests per key before switching to the other
WARM_UP = 100  # per key, not counted


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = 100  # os.sysconf("SC_CLK_TCK") on Linux
    return (int(fields[11]) + int(fields[12])) / ticks


def script_stats(server: RedisProcess, *, reset: bool = False) -> dict[str, float]:
    """Redis's own count and time of the admission script's calls (EVALSHA)."""
    client = redis_client.Redis(port=server.port)
    try:
        if reset:
            client.config_resetstat()
            return {}
        stats = client.info("commandstats").get("cmdstat_evalsha", {})
        return {
            "calls": float(stats.get("calls", 0)),
            "usec_per_call": stats.get("usec_per_call", 0.0),
        }
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per key")
    parser.add_argument("--counters", choices=["redis", "memory"], default="redis")
    args = parser.parse_args()
    if args.counters == "redis" and shutil.which("redis-server") is None:
        sys.exit("redis-server is needed (apt-get install redis-server), or --counters memory")
    redis = RedisProcess()
    if args.counters == "redis":
        redis.start()
    env = {
        "PRIVATELLM_LIMITS__COUNTERS": args.counters,
        "PRIVATELLM_LIMITS__REDIS_URL": redis.url,
        "PRIVATELLM_LIMITS__REDIS_KEY_PREFIX": f"bench-{secrets.token_hex(4)}/",
        "PRIVATELLM_VALIDATE_RESPONSES": "false",
    }
    latencies: dict[str, list[float]] = {"off": [], "on": []}
    scripts: dict[str, float] = {}
    cpu = {"off": 0.0, "on": 0.0, "redis": 0.0}
    try:
        with tempfile.TemporaryDirectory() as workdir, LiveServer(Path(workdir), env) as server:
            keys = {
                "off": key(server, "bench-off", None),
                "on": key(server, "bench-on", LIMITS),
            }
            with httpx.Client(base_url=server.url, timeout=30) as client:

                def ask(which: str) -> float:
                    started = time.perf_counter()
                    answer = client.post(
                        "/openai/v1/chat/completions",
                        json=CHAT,
                        headers={"Authorization": f"Bearer {keys[which]}"},
                    )
                    elapsed = time.perf_counter() - started
                    if answer.status_code != 200:
                        raise RuntimeError(f"{which}: {answer.status_code} {answer.text}")
                    return elapsed

                for i in range(WARM_UP * 2):  # connections, caches, the script loaded
                    ask("on" if i % 2 else "off")
                if redis.process is not None:
                    script_stats(redis, reset=True)
                blocks = 2 * -(-args.requests // BLOCK)
                for block in range(blocks):
                    which = "on" if block % 2 else "off"
                    server_cpu = cpu_seconds(server.process.pid)
                    redis_cpu = cpu_seconds(redis.process.pid) if redis.process else 0.0
                    for _ in range(BLOCK):
                        latencies[which].append(ask(which))
                    cpu[which] += cpu_seconds(server.process.pid) - server_cpu
                    if redis.process is not None and which == "on":
                        cpu["redis"] += cpu_seconds(redis.process.pid) - redis_cpu
                if redis.process is not None:
                    scripts = script_stats(redis)
    finally:
        redis.stop()
    off = statistics.median(latencies["off"]) * 1000
    on = statistics.median(latencies["on"]) * 1000
    per_request = {name: seconds * 1000 / len(latencies["on"]) for name, seconds in cpu.items()}
    count = len(latencies["on"])
    print(f"admission overhead, c=1, {count} requests per key, {args.counters} counters")
    print(f"  p50 limits off: {off:.3f} ms")
    print(f"  p50 limits on:  {on:.3f} ms")
    print(f"  added by limits: {on - off:+.3f} ms (target <= 0.3 ms)")
    print(
        f"  server CPU per request: off {per_request['off']:.3f} ms, "
        f"on {per_request['on']:.3f} ms ({per_request['on'] - per_request['off']:+.3f} ms)"
    )
    if args.counters == "redis":
        print(f"  Redis CPU per request with limits on: {per_request['redis']:.3f} ms")
        print(
            f"  Redis calls per request with limits on: {scripts['calls'] / count:.2f}, "
            f"{scripts['usec_per_call'] / 1000:.3f} ms each inside Redis (INFO commandstats)"
        )


if __name__ == "__main__":
    main()
