"""Benchmark: what the gateway itself costs, against two pass-through floors, in one run.

Started here, each its own process on 127.0.0.1, all stopped by pid at the end:

- a zero-latency OpenAI-compatible upstream (bench.upstream);
- the Starlette floor and the Connexion floor (bench.floors): aiohttp
  pass-throughs to that upstream, no auth, no storage;
- our server on SQLite, and on PostgreSQL when 127.0.0.1:5432 answers (a
  database created for the run and dropped after), its one model served by
  that upstream through our OpenAI-compatible provider.

wrk drives each target at 1, 16 and 50 connections for BENCH_SECONDS (4)
each: the front door (`POST /openai/v1/chat/completions`, JSON and
`stream: true`), a native send and a native stream on short conversations
(each request on a conversation of its own pool, under 20 messages), an
authenticated `GET /v1/conversations` and `/healthz`. A sequential client
adds what wrk cannot see: a native stream's time to its first delta, and the
cost of history (turn latency at 20 and at 400 messages of one conversation).
All of them run for the whole benchmark: the chat completion goes through the
upstream, both floors and our servers back to back at each concurrency, so a
ratio's two figures come from the same minute of a machine whose load moves.

The table gives p50, p99 and requests/s per target, each as a ratio to both
floors at the same concurrency (streamed targets to the floors' streamed
pass-through); then the targets of the overhead budget, met or not. The same
figures go to var/bench-overhead.json. Absolute figures vary with the
machine and its load; ratios within one run are what count.

    make bench                          # or: python -m bench.overhead
    BENCH_SECONDS=10 make bench         # longer runs, steadier figures
"""

import asyncio
import contextlib
import json
import math
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import wrk
from bench.processes import ROOT, Service, free_port

CONNECTIONS = (1, 16, 50)
ADMIN_SECRET = "test-admin-secret"  # config/test.yaml's bootstrap key
FRONT_DOOR = "/openai/v1/chat/completions"
CHAT = {"model": "bench", "messages": [{"role": "user", "content": "Hello there"}]}
MODEL = {
    "id": "bench",
    "provider": "upstream",
    "upstream_model_id": "bench",
    "context_window": 200_000,
    "max_output_tokens": 1024,
}
TURNS_PER_CONVERSATION = 8  # a pool conversation stays under 20 messages
HISTORY_TURNS = 200  # 400 messages at the end
STREAM_SAMPLES = 100
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class ChatTarget:
    """Where a chat completion is sent: a floor, the upstream itself, or our server."""

    name: str
    url: str
    path: str
    pid: int
    token: str | None = None


@dataclass(frozen=True)
class Row:
    server: str
    target: str
    connections: int
    p50_ms: float
    p99_ms: float
    rps: float
    errors: int
    # CPU the server process spent per request (user + system): steadier than rps on a
    # machine others load too, since waiting for a core costs no CPU time.
    cpu_ms: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _seconds() -> float:
    return max(1.0, float(os.environ.get("BENCH_SECONDS", "4")))


class Bench:
    def __init__(self, workdir: Path, seconds: float) -> None:
        self.workdir = workdir
        self.seconds = seconds
        self.rows: list[Row] = []
        self.extra: dict[str, dict[str, float]] = {}

    def measure(
        self, server: str, target: str, url: str, load: wrk.Load, c: int, pid: int
    ) -> wrk.Result:
        cpu_before = cpu_seconds(pid)
        result = wrk.run(url, load, c, self.seconds, self.workdir)
        cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / max(1, result.requests)
        row = Row(
            server, target, c, result.p50_ms, result.p99_ms, result.rps, result.errors, cpu_ms
        )
        self.rows.append(row)
        errors = f"  ({result.errors} errors)" if result.errors else ""
        print(
            f"  {server:<18}{target:<20}c={c:<3}{result.p50_ms:>8.2f} ms p50"
            f"{result.p99_ms:>8.2f} ms p99{result.rps:>9.0f} rps{cpu_ms:>7.2f} cpu ms/req{errors}",
            flush=True,
        )
        return result

    def find(self, server: str, target: str, c: int) -> Row | None:
        for row in self.rows:
            if (row.server, row.target, row.connections) == (server, target, c):
                return row
        return None

    # -- the targets ------------------------------------------------------

    def chat(self, targets: list["ChatTarget"]) -> None:
        """The chat completion through every target, JSON then streamed, at each concurrency:
        all targets back to back for one figure, so that a ratio's two sides are measured
        within the same minute of the machine's load (it is shared and its load moves)."""
        for stream in (False, True):
            body = json.dumps({**CHAT, "stream": True} if stream else CHAT)
            kind = "chat stream" if stream else "chat json"
            for c in CONNECTIONS:
                for target in targets:
                    load = wrk.Load("POST", target.path, body, token=target.token)
                    self.measure(target.name, kind, target.url, load, c, target.pid)

    def ours(self, server: str, url: str, pid: int) -> None:
        admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
        with httpx.Client(base_url=url, headers=admin, timeout=30) as client:
            reader = _user_with_conversations(client, "bench-reader", 3)
            for c in CONNECTIONS:
                self.measure(server, "healthz", url, wrk.Load("GET", "/healthz"), c, pid)
            listing = wrk.Load("GET", "/v1/conversations", token=reader)
            for c in CONNECTIONS:
                self.measure(server, "GET conversations", url, listing, c, pid)
            created = 0
            for kind, path in (("send", "messages"), ("stream", "messages:stream")):
                for c in CONNECTIONS:
                    front = self.find(server, "chat json", c)
                    expected = (front.rps if front else 500) * self.seconds * 1.5
                    pool = max(4 * c, math.ceil(expected / TURNS_PER_CONVERSATION))
                    _create_conversations(url, created, pool)
                    load = wrk.Load(
                        "POST",
                        f"/v1/conversations/b%06d/{path}",
                        json.dumps({"content": "Hello there"}),
                        token=ADMIN_SECRET,
                        pool=pool,
                        offset=created,
                    )
                    created += pool
                    self.measure(server, f"native {kind}", url, load, c, pid)
            self.extra[server] = {
                **_first_delta(client),
                **_history_cost(client),
            }
        extra = self.extra[server]
        print(
            f"  {server:<18}native stream: first delta p50 {extra['first_delta_p50_ms']:.2f} ms, "
            f"p99 {extra['first_delta_p99_ms']:.2f} ms (c=1)\n"
            f"  {server:<18}native send p50 at 20 messages {extra['send_p50_at_20_ms']:.2f} ms, "
            f"at 400 {extra['send_p50_at_400_ms']:.2f} ms: "
            f"{extra['per_history_message_us']:.1f} us per message of history",
            flush=True,
        )


def _user_with_conversations(client: httpx.Client, user: str, count: int) -> str:
    """A user key whose list has `count` conversations: the authenticated GET's caller."""
    answer = client.post("/v1/apiKeys", json={"user": user, "displayName": "bench"})
    answer.raise_for_status()
    secret: str = answer.json()["secret"]
    for _ in range(count):
        created = client.post(
            "/v1/conversations",
            json={"title": "bench"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        created.raise_for_status()
    return secret


def _create_conversations(url: str, first: int, count: int) -> None:
    """Conversations b<first>..b<first+count-1> of the admin, created 16 at a time."""

    async def create_all() -> None:
        limits = httpx.Limits(max_connections=16)
        headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=30
        ) as client:
            queue = iter(range(first, first + count))

            async def worker() -> None:
                for n in queue:
                    answer = await client.post(
                        "/v1/conversations", params={"conversationId": f"b{n:06d}"}, json={}
                    )
                    answer.raise_for_status()

            await asyncio.gather(*(worker() for _ in range(16)))

    asyncio.run(create_all())


def _first_delta(client: httpx.Client) -> dict[str, float]:
    """A native stream's time to its first delta event, one stream at a time."""
    conversation = client.post("/v1/conversations", json={}).json()["id"]
    waits: list[float] = []
    path = f"/v1/conversations/{conversation}/messages:stream"
    for _ in range(STREAM_SAMPLES):
        started = time.perf_counter()
        with client.stream("POST", path, json={"content": "Hello"}) as answer:
            first = None
            for line in answer.iter_lines():  # read to the end: the turn is settled
                if first is None and line == "event: delta":
                    first = time.perf_counter() - started
            if first is None:
                raise RuntimeError(f"stream without a delta ({answer.status_code})")
            waits.append(first)
    return {
        "first_delta_p50_ms": statistics.median(waits) * 1000,
        "first_delta_p99_ms": _percentile(waits, 99) * 1000,
    }


def _history_cost(client: httpx.Client) -> dict[str, float]:
    """Native send latency with 20 and with 400 messages of history, one conversation."""
    conversation = client.post("/v1/conversations", json={}).json()["id"]
    path = f"/v1/conversations/{conversation}/messages"
    took: list[float] = []
    for _ in range(HISTORY_TURNS):
        started = time.perf_counter()
        client.post(path, json={"content": "Hello there"}).raise_for_status()
        took.append(time.perf_counter() - started)
    at_20 = statistics.median(took[5:15])  # turns 6-15: 10 to 30 messages before
    at_400 = statistics.median(took[-10:])  # 380 to 400 messages before
    return {
        "send_p50_at_20_ms": at_20 * 1000,
        "send_p50_at_400_ms": at_400 * 1000,
        "per_history_message_us": (at_400 - at_20) / 380 * 1e6,
    }


def _percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


# -- the report ---------------------------------------------------------------


def _floor_target(target: str) -> str:
    return "chat stream" if "stream" in target else "chat json"


def table(bench: Bench) -> str:
    head = (
        f"{'server':<18}{'target':<20}{'c':>3}{'p50 ms':>9}{'p99 ms':>9}{'rps':>8}{'cpu ms':>8}"
        f"{'p50/S':>7}{'p99/S':>7}{'rps/S':>7}{'cpu/S':>7}"
        f"{'p50/C':>7}{'p99/C':>7}{'rps/C':>7}{'cpu/C':>7}"
    )
    lines = [head, "-" * len(head)]
    # Measured target by target (see Bench.chat); shown server by server.
    servers = list(dict.fromkeys(row.server for row in bench.rows))
    targets = list(dict.fromkeys(row.target for row in bench.rows))
    ordered = sorted(
        bench.rows,
        key=lambda row: (servers.index(row.server), targets.index(row.target), row.connections),
    )
    for row in ordered:
        ratios = ""
        for floor in ("starlette floor", "connexion floor"):
            base = bench.find(floor, _floor_target(row.target), row.connections)
            if base is None or row.server.endswith("floor") or row.server == "upstream":
                ratios += f"{'':>28}"
                continue
            ratios += (
                f"{_ratio(row.p50_ms, base.p50_ms):>7}{_ratio(row.p99_ms, base.p99_ms):>7}"
                f"{_ratio(row.rps, base.rps):>7}{_ratio(row.cpu_ms, base.cpu_ms):>7}"
            )
        errors = f"  {row.errors} errors" if row.errors else ""
        lines.append(
            f"{row.server:<18}{row.target:<20}{row.connections:>3}{row.p50_ms:>9.2f}"
            f"{row.p99_ms:>9.2f}{row.rps:>8.0f}{row.cpu_ms:>8.2f}{ratios}{errors}"
        )
    lines.append(
        "cpu ms: the server process's CPU per request. "
        "S: the Starlette floor, C: the Connexion floor (same target, same c)"
    )
    return "\n".join(lines)


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


def targets(bench: Bench, server: str) -> list[tuple[str, bool, str]]:
    """The overhead budget (issue: the gateway's own cost), checked on this run's figures."""

    def get(srv: str, target: str, c: int) -> Row:
        row = bench.find(srv, target, c)
        assert row is not None, (srv, target, c)
        return row

    checks: list[tuple[str, bool, str]] = []
    for c in (16, 50):
        ours, floor = get(server, "chat json", c), get("connexion floor", "chat json", c)
        ratio = ours.rps / floor.rps
        checks.append(
            (f"chat json rps >= 2/3 Connexion floor, c={c}", ratio >= 2 / 3, f"{ratio:.2f}")
        )
        floor = get("starlette floor", "chat json", c)
        ratio = ours.rps / floor.rps
        checks.append(
            (f"chat json rps >= 1/5 Starlette floor, c={c}", ratio >= 1 / 5, f"{ratio:.2f}")
        )
    ours, floor = get(server, "chat json", 1), get("connexion floor", "chat json", 1)
    gap = ours.p50_ms - floor.p50_ms
    checks.append(("chat json p50 <= Connexion floor + 1 ms, c=1", gap <= 1.0, f"+{gap:.2f} ms"))
    ours, floor = get(server, "chat stream", 16), get("connexion floor", "chat stream", 16)
    ratio = ours.rps / floor.rps
    checks.append(("chat stream rps >= 2/3 Connexion floor, c=16", ratio >= 2 / 3, f"{ratio:.2f}"))
    native, front = get(server, "native send", 16), get(server, "chat json", 16)
    ratio = native.rps / front.rps
    checks.append(("native send rps >= 1/2 our chat json, c=16", ratio >= 0.5, f"{ratio:.2f}"))
    listing, health = get(server, "GET conversations", 16), get(server, "healthz", 16)
    ratio = listing.rps / health.rps
    checks.append(("GET conversations rps >= 1/2 our healthz, c=16", ratio >= 0.5, f"{ratio:.2f}"))
    return checks


def cpu_summary(bench: Bench, server: str) -> str:
    """CPU per front-door request against both floors at c=16: the figure load moves least."""
    ours = bench.find(server, "chat json", 16)
    starlette = bench.find("starlette floor", "chat json", 16)
    connexion = bench.find("connexion floor", "chat json", 16)
    if ours is None or starlette is None or connexion is None:
        return ""
    return (
        f"  info  chat json CPU per request, c=16: {ours.cpu_ms:.2f} ms, "
        f"{ours.cpu_ms / connexion.cpu_ms:.2f}x the Connexion floor's, "
        f"{ours.cpu_ms / starlette.cpu_ms:.2f}x the Starlette floor's"
    )


# -- the run ------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database for this run on the local PostgreSQL, or None when there is none."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        yield None
        return
    import asyncpg

    name = f"bench_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def production_env(database_url: str, upstream: str) -> dict[str, str]:
    """Our server's environment in a bench: production's settings, one model served by
    `upstream`."""
    return {
        "ENV": "test",
        "PRIVATELLM_DATABASE_URL": database_url,
        "PRIVATELLM_LOG_LEVEL": "warning",
        # Production's log lines (config/prod.yaml): one JSON object per request.
        "PRIVATELLM_LOG_FORMAT": "json",
        # Production's settings: responses are validated in tests, not in service.
        "PRIVATELLM_VALIDATE_RESPONSES": "false",
        "PRIVATELLM_ENABLE_TEST_ROUTES": "false",
        "PRIVATELLM_PROVIDERS__UPSTREAM__TYPE": "openai",
        "PRIVATELLM_PROVIDERS__UPSTREAM__BASE_URL": upstream + "/v1",
        "PRIVATELLM_MODELS": json.dumps([MODEL]),
        "PRIVATELLM_DEFAULT_MODEL": "bench",
    }


def our_server(name: str, database_url: str, upstream: str, workdir: Path) -> Service:
    port = free_port()
    env = {**production_env(database_url, upstream), "PRIVATELLM_PORT": str(port)}
    return Service(
        name, ["server", "serve"], port=port, ready_path="/healthz", log_dir=workdir, env=env
    )


def main() -> None:
    wrk.require_wrk()
    seconds = _seconds()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        bench = Bench(workdir, seconds)
        print(f"overhead benchmark: wrk, {seconds:g} s per figure, c = {CONNECTIONS}", flush=True)
        upstream = stack.enter_context(
            Service(
                "upstream",
                ["bench.upstream", str(port := free_port())],
                port=port,
                ready_path="/v1/models",
                log_dir=workdir,
            )
        )
        chat_targets = [ChatTarget("upstream", upstream.url, "/v1/chat/completions", upstream.pid)]
        for kind in ("starlette", "connexion"):
            port = free_port()
            floor = stack.enter_context(
                Service(
                    f"{kind}-floor",
                    ["bench.floors", kind, str(port), upstream.url],
                    port=port,
                    ready_path="/",
                    log_dir=workdir,
                )
            )
            chat_targets.append(ChatTarget(f"{kind} floor", floor.url, FRONT_DOOR, floor.pid))
        databases = [("ours, sqlite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}")]
        postgres = stack.enter_context(postgres_database())
        if postgres:
            databases.append(("ours, postgresql", postgres))
        else:
            print("  (PostgreSQL not reachable on 127.0.0.1:5432: SQLite only)")
        servers = [
            (
                name,
                stack.enter_context(
                    our_server(name.replace(", ", "-"), url, upstream.url, workdir)
                ),
            )
            for name, url in databases
        ]
        chat_targets += [
            ChatTarget(name, server.url, FRONT_DOOR, server.pid, ADMIN_SECRET)
            for name, server in servers
        ]
        bench.chat(chat_targets)
        for name, server in servers:
            bench.ours(name, server.url, server.pid)
        print()
        print(table(bench))
        report: dict[str, Any] = {
            "seconds_per_figure": seconds,
            "rows": [asdict(row) for row in bench.rows],
            "sequential": bench.extra,
            "targets": {},
        }
        for name, _url in databases:
            print(f"\ntargets, {name}:")
            checks = targets(bench, name)
            report["targets"][name] = [
                {"target": what, "met": met, "value": value} for what, met, value in checks
            ]
            for what, met, value in checks:
                print(f"  {'met ' if met else 'MISS'}  {what}: {value}")
            print(cpu_summary(bench, name))
            extra = bench.extra[name]
            print(
                f"  info  history: p50 {extra['send_p50_at_20_ms']:.2f} ms at 20 messages, "
                f"{extra['send_p50_at_400_ms']:.2f} ms at 400 "
                f"({extra['per_history_message_us']:.1f} us per message)"
            )
    out = ROOT / "var" / "bench-overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to var/{out.name}; {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
