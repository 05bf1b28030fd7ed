"""Alembic migrations, run from code: `upgrade_to_head(url)` (CLI `migrate`, start-up in local).

There is no alembic.ini: the script location is this package and the URL is
passed in, so the same call works from the CLI, the server and the tests.
`alembic` itself still works for authors: see `alembic_config()`.
"""

import asyncio
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic Config pointing at these scripts and at `url` (an async SQLAlchemy URL)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["database_url"] = url
    return config


def _upgrade(url: str, revision: str) -> None:
    command.upgrade(alembic_config(url), revision)


def upgrade_to_head(url: str) -> None:
    """Bring the database at `url` to the newest schema. Idempotent; safe to call at every start.

    env.py drives an async engine with `asyncio.run`, which cannot nest in a
    running loop, so when called from async code it runs in a short-lived thread.
    """
    _run_outside_loop(_upgrade, url, "head")


def downgrade_to_base(url: str) -> None:
    """Drop every table the migrations made (tests of the migrations themselves)."""
    _run_outside_loop(lambda u, r: command.downgrade(alembic_config(u), r), url, "base")


def _run_outside_loop(fn: "object", url: str, revision: str) -> None:
    assert callable(fn)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        fn(url, revision)
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            fn(url, revision)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=target, name="alembic-upgrade")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
