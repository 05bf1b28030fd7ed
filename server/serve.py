"""`privatellm serve`: uvicorn, one process or N workers on one socket.

Workers are uvicorn's own (chosen on measurement over gunicorn's arbiter with
uvicorn workers: bench/workers.py, README "Workers"). Each imports the app
through `server.app:app_from_environment`. With N > 1:

- the database is migrated once, here, before any worker starts; the workers
  do not migrate (N processes migrating one fresh database at once collide:
  two of them add the same column);
- Prometheus' multiprocess mode is switched on for them: a fresh directory in
  PROMETHEUS_MULTIPROC_DIR (or the one given), emptied at start, so a scrape of
  any worker reports them all;
- the supervisor (`Supervisor`) replaces a worker that dies or stops
  answering its pings, as uvicorn's does, and first removes the dead worker's
  live gauges (streams in flight, pool use) from that directory: nobody else
  can, since a SIGKILLed worker never runs its own shutdown. Its counters and
  histograms stay: they are history, and a scrape keeps adding them up.
"""

import logging
import os
import shutil
import tempfile
from pathlib import Path
from socket import socket
from typing import Any

import uvicorn
from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from server.config import ENV_PREFIX, Settings
from server.request_log import configure_logging

APP_FACTORY = "server.app:app_from_environment"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # server.metrics reads it; not imported here
# After the drain (server.graceful_stop): time for uvicorn to close connections.
CLOSE_SECONDS = 5
# A worker is replaced when it misses pings this long: not for being busy.
WORKER_HEALTHCHECK_SECONDS = 30

log = logging.getLogger("uvicorn.error")


def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> int:
    """Runs until stopped; the exit status (STARTUP_FAILURE when a worker could not start)."""
    count = workers or settings.workers
    if count < 1:
        raise SystemExit("--workers must be >= 1")
    configure_logging(settings)
    options: dict[str, Any] = {
        "factory": True,
        "host": host or settings.host,
        "port": port or settings.port,
        "log_config": None,  # configure_logging, in this process and in each worker
        "access_log": False,  # our own line per request (server.request_log)
        "timeout_graceful_shutdown": CLOSE_SECONDS,
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }
    if count == 1:
        uvicorn.run(APP_FACTORY, **options)
        return 0
    if settings.run_migrations:
        from store.migrations import upgrade_to_head

        upgrade_to_head(settings.database_url)
    os.environ[ENV_PREFIX + "RUN_MIGRATIONS"] = "false"  # the workers' environment
    # Each worker would keep itself on the CPU it started on, and two could start on one:
    # with several, the kernel spreads them (store.database.share_one_cpu).
    os.environ[ENV_PREFIX + "SQLITE_ONE_CPU"] = "false"
    metrics_dir, own_dir = _multiprocess_dir()
    try:
        config = Config(APP_FACTORY, workers=count, **options)
        supervisor = Supervisor(config, [config.bind_socket()], metrics_dir)
        supervisor.run()
    finally:
        if own_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return STARTUP_FAILURE if supervisor.startup_failed else 0


class Supervisor(Multiprocess):
    """uvicorn's worker supervisor that also drops the live gauges of a worker that died."""

    def __init__(self, config: Config, sockets: list[socket], metrics_dir: Path) -> None:
        super().__init__(config, sockets)
        self.metrics_dir = metrics_dir
        self.startup_failed = False

    def keep_subprocess_alive(self) -> None:
        """uvicorn's own check (0.54), run every half second, with one step added: a dead or
        hung worker's live gauges are removed after it is reaped and before its replacement
        starts. Then its pid cannot be a worker of ours (it was this one until reaped, and no
        replacement runs yet), so a reused pid never costs a live worker its values."""
        if self.should_exit.is_set():
            return  # stopping: no replacements
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung, or already dead: either way reaped by join()
            process.join()
            self.forget(process.pid)
            if process.exitcode == STARTUP_FAILURE:
                # It failed before serving: the app or the socket is broken, and would be
                # for every replacement too.
                log.error("worker [%s] failed to start; stopping", process.pid)
                self.startup_failed = True
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.warning(
                "worker [%s] died (exit code %s); starting another", process.pid, process.exitcode
            )
            replacement = Process(self.config, self.sockets)
            replacement.start()
            self.processes[index] = replacement

    def forget(self, pid: int | None) -> None:
        """Removes a dead worker's live gauges (prometheus-client's livesum/liveall/...
        modes); its counters and histograms stay in the directory, still counted."""
        if pid is None:
            return
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, str(self.metrics_dir))  # type: ignore[no-untyped-call]


def _multiprocess_dir() -> tuple[Path, bool]:
    """The shared metrics directory, set up and in the environment; True when it is ours to
    remove at the end (made here), False when given (PROMETHEUS_MULTIPROC_DIR)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # left by an earlier run: would be counted again
            stale.unlink()
        return path, False
    path = Path(tempfile.mkdtemp(prefix="privatellm-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path, True
