"""Which methods each path of the spec supports, for the `Allow` header of a 405."""

import re
from collections.abc import Mapping
from typing import Any

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class AllowedMethods:
    def __init__(self, paths: Mapping[str, Mapping[str, Any]]) -> None:
        self._routes: list[tuple[re.Pattern[str], list[str]]] = []
        for path, item in paths.items():
            pattern = re.escape(path)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            methods = [m.upper() for m in _HTTP_METHODS if m in item]
            self._routes.append((re.compile(f"^{pattern}$"), methods))

    def for_path(self, path: str) -> list[str]:
        allowed: list[str] = []
        for pattern, methods in self._routes:
            if pattern.match(path):
                allowed.extend(m for m in methods if m not in allowed)
        return allowed
