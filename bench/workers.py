"""Benchmark: which supervisor runs `privatellm serve --workers N`, uvicorn's own or gunicorn's.

The two candidates run the same uvicorn server in each worker; they differ in
the process that supervises them (uvicorn's `Multiprocess`, or gunicorn's
arbiter with the `uvicorn-worker` package's worker class) and in how the
listening socket is shared. Started here, each on its own SQLite file migrated
once before it starts (workers never migrate concurrently):

- uvicorn's workers, N = 1 and 2: `python -m server serve --workers N`, as
  shipped (N = 1 is one process: no supervisor at all);
- gunicorn with uvicorn workers, N = 1 and 2: `gunicorn -k
  uvicorn_worker.UvicornWorker -w N 'server.app:app_from_environment()'`
  (N = 1 is an arbiter and one worker);

with Prometheus' multiprocess directory for N = 2 in both, as `serve` sets it.
Every model call goes to a zero-latency OpenAI-compatible upstream
(bench.upstream) through the front door (`POST /openai/v1/chat/completions`).
wrk drives each at 16 and at 50 connections, the targets interleaved in
ROUNDS rounds (in reverse order every other round) so a change in the
machine's load falls on all of them alike;
figures are medians: requests/s, p50, p99, and the CPU the whole process tree
(supervisor and workers) spent per request, which the machine's other load
moves least. Ratios are gunicorn's against uvicorn's at the same N and c.

    make bench        # or: python -m bench.workers   (BENCH_SECONDS=n per run, default 4)
"""

import contextlib
import json
import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.overhead import ADMIN_SECRET, CHAT, FRONT_DOOR, production_env
from bench.processes import Service, free_port, tree_cpu_seconds
from store.migrations import upgrade_to_head

CONNECTIONS = (16, 50)
ROUNDS = 5
WORKERS = (1, 2)
SUPERVISORS = ("uvicorn", "gunicorn")
# gunicorn is chosen only if it wins clearly: this much more throughput at N = 2, at every
# concurrency, for no more CPU per request (within what one run's noise moves it).
CLEAR_WIN = 1.10
CPU_NOISE = 1.05


@dataclass(frozen=True)
class Figure:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # the process tree's CPU per request
    busiest: float  # the share of the workers' CPU that the busiest one spent (N = 2: 0.5 is even)


def command(supervisor: str, workers: int, port: int) -> list[str]:
    """The module arguments (`python -m ...`) that run the front door under `supervisor`."""
    if supervisor == "uvicorn":
        return ["server", "serve", "--workers", str(workers), "--port", str(port)]
    return [
        "gunicorn",
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "server.app:app_from_environment()",
    ]


def start(supervisor: str, workers: int, upstream: str, workdir: Path) -> Service:
    name = f"{supervisor}-{workers}"
    database = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    upgrade_to_head(database)
    env = {**production_env(database, upstream), "PRIVATELLM_RUN_MIGRATIONS": "false"}
    if workers > 1:  # what `serve` does for N > 1: the workers' metrics in one directory
        metrics = workdir / f"{name}-metrics"
        metrics.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    port = free_port()
    return Service(
        name,
        command(supervisor, workers, port),
        port=port,
        ready_path="/healthz",
        log_dir=workdir,
        env=env,
    )


def measure(
    service: Service, workers: int, load: wrk.Load, c: int, seconds: float, workdir: Path
) -> Figure:
    before = tree_cpu_seconds(service.pid)
    result = wrk.run(service.url, load, c, seconds, workdir)
    after = tree_cpu_seconds(service.pid)
    if result.errors:
        raise RuntimeError(f"{service.name}: {result.errors} errors at c={c}")
    spent = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    cpu_ms = sum(spent.values()) * 1000 / max(1, result.requests)
    # The workers are the N busiest processes under the supervisor (uvicorn's N = 1 is a
    # single process); the rest (gunicorn's arbiter, multiprocessing's tracker) idle.
    children = sorted((cpu for pid, cpu in spent.items() if pid != service.pid), reverse=True)
    busy = children[:workers] if len(children) >= workers else [sum(spent.values())]
    busiest = busy[0] / sum(busy) if sum(busy) > 0 else 1.0
    return Figure(result.rps, result.p50_ms, result.p99_ms, cpu_ms, busiest)


def median(figures: list[Figure]) -> Figure:
    return Figure(
        statistics.median(f.rps for f in figures),
        statistics.median(f.p50_ms for f in figures),
        statistics.median(f.p99_ms for f in figures),
        statistics.median(f.cpu_ms for f in figures),
        statistics.median(f.busiest for f in figures),
    )


def verdict(results: dict[tuple[str, int, int], Figure]) -> str:
    """gunicorn only on a clear win at N = 2 (where a supervisor matters); else uvicorn."""
    wins = [
        results["gunicorn", 2, c].rps >= CLEAR_WIN * results["uvicorn", 2, c].rps
        and results["gunicorn", 2, c].cpu_ms <= CPU_NOISE * results["uvicorn", 2, c].cpu_ms
        for c in CONNECTIONS
    ]
    if all(wins):
        return "gunicorn wins clearly at N=2: switch `serve --workers` to it"
    return (
        f"no clear win for gunicorn (>= {CLEAR_WIN:.2f}x the requests/s at N=2, every c, "
        f"for at most {CPU_NOISE:.2f}x the CPU per request): keep uvicorn's workers"
    )


def main() -> None:
    wrk.require_wrk()
    seconds = max(1.0, float(os.environ.get("BENCH_SECONDS", "4")))
    targets = [(s, n) for n in WORKERS for s in SUPERVISORS]
    runs: dict[tuple[str, int, int], list[Figure]] = {
        (s, n, c): [] for s, n in targets for c in CONNECTIONS
    }
    body = json.dumps(CHAT)
    load = wrk.Load("POST", FRONT_DOOR, body, token=ADMIN_SECRET)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        port = free_port()
        upstream = stack.enter_context(
            Service(
                "upstream",
                ["bench.upstream", str(port)],
                port=port,
                ready_path="/v1/models",
                log_dir=workdir,
            )
        )
        services = {}
        for supervisor, workers in targets:
            service = stack.enter_context(start(supervisor, workers, upstream.url, workdir))
            services[supervisor, workers] = service
            wrk.run(service.url, load, 16, 2, workdir)  # warm-up: every worker imports, connects
        print(
            f"workers benchmark: the front door, zero-latency upstream, wrk, "
            f"median of {ROUNDS} x {seconds:g} s",
            flush=True,
        )
        order = list(services.items())
        for _ in range(ROUNDS):
            for c in CONNECTIONS:
                for (supervisor, workers), service in order:
                    figure = measure(service, workers, load, c, seconds, workdir)
                    runs[supervisor, workers, c].append(figure)
            order.reverse()  # no target always runs right after the same other one
    results = {key: median(figures) for key, figures in runs.items()}
    head = (
        f"{'supervisor':<10}{'N':>3}{'c':>4}{'rps':>8}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>8}"
        f"{'busiest':>8}{'rps/uv':>8}{'p50/uv':>8}{'p99/uv':>8}{'cpu/uv':>8}"
    )
    print(head)
    print("-" * len(head))
    for workers in WORKERS:
        for c in CONNECTIONS:
            base = results["uvicorn", workers, c]
            for supervisor in SUPERVISORS:
                f = results[supervisor, workers, c]
                print(
                    f"{supervisor:<10}{workers:>3}{c:>4}{f.rps:>8.0f}{f.p50_ms:>9.2f}"
                    f"{f.p99_ms:>9.2f}{f.cpu_ms:>8.2f}{f.busiest:>8.2f}{f.rps / base.rps:>8.2f}"
                    f"{f.p50_ms / base.p50_ms:>8.2f}{f.p99_ms / base.p99_ms:>8.2f}"
                    f"{f.cpu_ms / base.cpu_ms:>8.2f}"
                )
    for supervisor in SUPERVISORS:
        scaling = ", ".join(
            f"{results[supervisor, 2, c].rps / results[supervisor, 1, c].rps:.2f}x at c={c}"
            for c in CONNECTIONS
        )
        print(f"{supervisor}: N=2 gives {scaling} N=1's requests/s")
    print(
        "cpu ms: CPU of the supervisor and its workers per request; busiest: the busiest "
        "worker's share of the workers' CPU (N=2: 0.50 is an even split); /uv: against uvicorn's"
    )
    print(verdict(results))


if __name__ == "__main__":
    main()
