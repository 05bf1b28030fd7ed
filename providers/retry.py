"""The retry policy the upstream providers share: bounded attempts, full-jitter backoff.

Config keys (in a `providers:` entry): `max_attempts` (default 3),
`retry_base_seconds` (default 0.5), `retry_max_seconds` (default 8). The wait
before attempt n is `uniform(0, min(max, base * 2**n))`; an upstream's own
`Retry-After` is honoured instead, capped at `retry_max_seconds`. Whether a
failure is retryable, and that nothing is retried once text was yielded, is
each provider's call: it raises `Retryable` for what another try may fix.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from errors import ApiError


class Retryable(Exception):
    """An attempt failed in a way another attempt may fix; carries the final error."""

    def __init__(self, error: ApiError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    base_seconds: float = 0.5
    max_seconds: float = 8.0

    @classmethod
    def from_config(cls, name: str, config: Mapping[str, Any]) -> "RetryPolicy":
        policy = cls(
            max_attempts=int(config.get("max_attempts", 3)),
            base_seconds=float(config.get("retry_base_seconds", 0.5)),
            max_seconds=float(config.get("retry_max_seconds", 8.0)),
        )
        if policy.max_attempts < 1:
            raise ValueError(f"provider {name}: max_attempts must be >= 1")
        return policy

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt number `attempt` (0 is the first)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_seconds)
        return random.uniform(0, min(self.max_seconds, self.base_seconds * 2**attempt))
