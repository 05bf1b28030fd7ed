"""Which methods each path of the spec supports, for the `Allow` header of a 405."""

import re
from collections.abc import Mapping
from typing import Any

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class AllowedMethods:
    def __init__(self, paths: Mapping[str, Mapping[str, Any]]) -> None:
        # (pattern, methods, literal length): a path matching several templates is the
        # resource of the most literal one (`apiKeys/{apiKey}:revoke` over `apiKeys/{apiKey}`).
        self._routes: list[tuple[re.Pattern[str], list[str], int]] = []
        for path, item in paths.items():
            pattern = re.escape(path)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            methods = [m.upper() for m in _HTTP_METHODS if m in item]
            literal = len(re.sub(r"\{[^}]+\}", "", path))
            self._routes.append((re.compile(f"^{pattern}$"), methods, literal))

    def for_path(self, path: str) -> list[str]:
        matches = [
            (methods, literal) for pattern, methods, literal in self._routes if pattern.match(path)
        ]
        most_literal = max((literal for _, literal in matches), default=0)
        allowed: list[str] = []
        for methods, literal in matches:
            if literal == most_literal:
                allowed.extend(m for m in methods if m not in allowed)
        return allowed
