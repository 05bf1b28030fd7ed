"""Provider health, checked in the background and cached: /readyz never calls an upstream.

One unreachable upstream must not fail readiness (a load balancer would
drain every process of the fleet at once, for a fault none of them has), and
an unauthenticated probe must not cost an outbound request per provider. So
each process checks its providers every `provider_health_interval_seconds`,
and the result is what /readyz reports per provider (without failing), what
the model list shows as `available`, and the `privatellm_provider_up` gauge.
"""

import asyncio
import contextlib
import logging

from providers.registry import ProviderRegistry
from server import metrics

log = logging.getLogger("privatellm.health")


class ProviderHealth:
    def __init__(self, registry: ProviderRegistry, interval_seconds: float) -> None:
        self._registry = registry
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0  # completed rounds, for tests and the log

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="provider-health")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def check_once(self) -> None:
        for check, ok, message in await self._registry.check_ready():
            name = check.removeprefix("provider:")
            before = dict((n, o) for n, o, _ in self._registry.health()).get(check)
            self._registry.record_health(name, ok, message)
            metrics.PROVIDER_UP.labels(name).set(1 if ok else 0)
            if ok != before or (not ok and self.rounds == 0):
                level = logging.INFO if ok else logging.WARNING
                log.log(level, "provider %s %s %s", name, "up" if ok else "down:", message)
        self.rounds += 1

    async def _run(self) -> None:
        while True:
            try:
                await self.check_once()
            except Exception:  # a health round never stops the next one
                log.exception("provider health check failed")
            await asyncio.sleep(self._interval)
