"""`privatellm serve`: uvicorn, one process or N workers on one socket.

Workers are uvicorn's own (its supervisor restarts a worker that dies); each
imports the app through `server.app:app_from_environment`. With N > 1,
Prometheus' multiprocess mode is switched on for them: a fresh directory in
PROMETHEUS_MULTIPROC_DIR (or the one given), emptied at start, so a scrape
of any worker reports them all.
"""

import os
import shutil
import tempfile
from pathlib import Path

from server.config import Settings
from server.request_log import configure_logging

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # server.metrics reads it; not imported here
# After the drain (server.graceful_stop): time for uvicorn to close connections.
CLOSE_SECONDS = 5


def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> int:
    import uvicorn

    count = workers or settings.workers
    if count < 1:
        raise SystemExit("--workers must be >= 1")
    configure_logging(settings)
    own_dir = _multiprocess_dir() if count > 1 else None
    try:
        uvicorn.run(
            "server.app:app_from_environment",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=count,
            log_config=None,  # configure_logging, in this process and in each worker
            access_log=False,  # our own line per request (server.request_log)
            timeout_graceful_shutdown=CLOSE_SECONDS,
            # A worker is killed when it misses pings this long: not for being busy.
            timeout_worker_healthcheck=30,
        )
    finally:
        if own_dir is not None:
            shutil.rmtree(own_dir, ignore_errors=True)
    return 0


def _multiprocess_dir() -> Path | None:
    """Sets up the shared metrics directory; returns it when it is ours to remove."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # left by an earlier run: would be counted again
            stale.unlink()
        return None
    path = Path(tempfile.mkdtemp(prefix="privatellm-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path
