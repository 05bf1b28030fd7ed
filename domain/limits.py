"""Limits: the caps a key, a user and a model carry, and which of them apply to a request.

A key's limits live on its row, a user's in `user_limits` (unset fields fall
back to the defaults of the caller's role, config `limits.user` / `limits.admin`),
a model's in its catalog entry (config `models[].limits`). Unset means unlimited.

Limits are read on every admission, through a short cache (`cache_seconds`,
1 s by default) so the hot path does not query the database each time: a
change made through the API reaches every process within that bound.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from errors import ApiError, Code

# Field name (proto) -> (JSON name, kind). "int64" travels as a JSON string (proto3 JSON).
FIELDS: dict[str, tuple[str, str]] = {
    "requests_per_minute": ("requestsPerMinute", "int32"),
    "tokens_per_minute": ("tokensPerMinute", "int32"),
    "tokens_per_day": ("tokensPerDay", "int64"),
    "tokens_per_month": ("tokensPerMonth", "int64"),
    "cost_per_day": ("costPerDay", "double"),
    "cost_per_month": ("costPerMonth", "double"),
    "concurrent_streams": ("concurrentStreams", "int32"),
    "models": ("models", "list"),
    "max_api_keys": ("maxApiKeys", "int32"),
    "max_conversations": ("maxConversations", "int32"),
    "max_message_bytes": ("maxMessageBytes", "int64"),
}
JSON_TO_FIELD = {json_name: name for name, (json_name, _) in FIELDS.items()}
MAX_INT64_LIMIT = 10**15


@dataclass(frozen=True, slots=True)
class Limits:
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    tokens_per_day: int | None = None
    tokens_per_month: int | None = None
    cost_per_day: float | None = None
    cost_per_month: float | None = None
    concurrent_streams: int | None = None
    models: tuple[str, ...] = ()
    max_api_keys: int | None = None
    max_conversations: int | None = None
    max_message_bytes: int | None = None

    def over(self, base: "Limits") -> "Limits":
        """These limits, with `base`'s where these are unset."""
        if base is NO_LIMITS or self is NO_LIMITS:
            return base if self is NO_LIMITS else self
        values = {}
        for item in fields(self):
            mine = getattr(self, item.name)
            values[item.name] = mine if mine not in (None, ()) else getattr(base, item.name)
        return Limits(**values)

    def masked(self, new: "Limits", names: tuple[str, ...]) -> "Limits":
        """These limits with the `names` fields taken from `new`."""
        return replace(self, **{name: getattr(new, name) for name in names})

    @property
    def is_empty(self) -> bool:
        return self is NO_LIMITS or self == NO_LIMITS


NO_LIMITS = Limits()


def from_json(body: Mapping[str, Any] | None, where: str = "limits") -> Limits:
    """Limits from their API JSON (camelCase; snake_case accepted); bad values answer 3."""
    if not body:
        return NO_LIMITS
    values: dict[str, Any] = {}
    for name, raw in body.items():
        field_name = JSON_TO_FIELD.get(name) or (name if name in FIELDS else None)
        if field_name is None:
            raise ApiError(Code.INVALID_ARGUMENT, f"{where}: unknown field {name!r}")
        if raw is None:
            continue
        values[field_name] = _value(field_name, raw, f"{where}.{FIELDS[field_name][0]}")
    return Limits(**values)


def from_config(body: Mapping[str, Any] | None, where: str) -> Limits:
    """Limits from a config section (snake_case); ValueError names what is wrong."""
    try:
        return from_json(body, where)
    except ApiError as exc:
        raise ValueError(exc.message) from None


def to_json(limits: Limits) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (json_name, kind) in FIELDS.items():
        value = getattr(limits, name)
        if value is None or value == ():
            continue
        out[json_name] = list(value) if kind == "list" else str(value) if kind == "int64" else value
    return out


def to_store(limits: Limits) -> dict[str, Any] | None:
    """What the JSON column keeps: the set fields, by proto name (None when nothing is set)."""
    out = {name: getattr(limits, name) for name in FIELDS}
    out = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items() if v not in (None, ())
    }
    return out or None


def from_store(value: Mapping[str, Any] | None) -> Limits:
    if not value:
        return NO_LIMITS
    values: dict[str, Any] = {
        k: tuple(v) if k == "models" else v for k, v in value.items() if k in FIELDS
    }
    return Limits(**values)


def mask_fields(paths: list[str], where: str) -> tuple[str, ...]:
    """Field names a `limits` / `limits.<field>` mask names (all of them for `limits`)."""
    names: list[str] = []
    for path in paths:
        if path == "limits":
            names.extend(FIELDS)
            continue
        sub = path.removeprefix("limits.")
        name = JSON_TO_FIELD.get(sub) or (sub if sub in FIELDS else None)
        if not path.startswith("limits.") or name is None:
            raise ApiError(Code.INVALID_ARGUMENT, f"{where}: cannot update {path!r}")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _value(name: str, raw: Any, where: str) -> Any:
    kind = FIELDS[name][1]
    if kind == "list":
        if not isinstance(raw, list | tuple) or not all(
            isinstance(m, str) and 0 < len(m) <= 128 for m in raw
        ):
            raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be a list of model ids")
        return tuple(dict.fromkeys(raw))
    if kind == "double":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be a number")
        if raw < 0:
            raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be >= 0")
        return float(raw)
    if isinstance(raw, bool):
        raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be an integer")
    if isinstance(raw, str) and kind == "int64" and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int):
        raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be an integer")
    ceiling = MAX_INT64_LIMIT if kind == "int64" else 2**31 - 1
    if not 0 <= raw <= ceiling:
        raise ApiError(Code.INVALID_ARGUMENT, f"{where} must be between 0 and {ceiling}")
    return raw


@dataclass(frozen=True, slots=True)
class Price:
    """Per million tokens, in the deployment's currency."""

    input_per_million: float = 0.0
    output_per_million: float = 0.0

    def cost_micros(self, input_tokens: int, output_tokens: int) -> int:
        """Cost in millionths of the currency: integers, so counters add exactly."""
        return math.ceil(
            input_tokens * self.input_per_million + output_tokens * self.output_per_million
        )


@dataclass(frozen=True)
class LimitsConfig:
    """The `limits:` section and the models' `limits` / `price` entries, typed."""

    counters: str = "memory"  # "memory" (one process) | "redis"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_key_prefix: str = "privatellm:limits:"
    redis_timeout_seconds: float = 2.0
    # What admission does when Redis cannot be reached: refuse with UNAVAILABLE
    # (14; "closed", the default: a limit that silently stops holding is a bill
    # nobody approved) or admit and log ("open").
    when_unavailable: str = "closed"
    cache_seconds: float = 1.0
    currency: str = "USD"
    roles: Mapping[str, Limits] = field(default_factory=dict)
    models: Mapping[str, Limits] = field(default_factory=dict)
    prices: Mapping[str, Price] = field(default_factory=dict)

    def role_defaults(self, role: str) -> Limits:
        return self.roles.get(role, NO_LIMITS)

    def price(self, model: str) -> Price:
        return self.prices.get(model, Price())


def load_config(
    section: Mapping[str, Any] | None, models: list[Mapping[str, Any]], currency: str = "USD"
) -> LimitsConfig:
    """LimitsConfig from the settings; ValueError names what is wrong."""
    section = dict(section or {})
    roles = {
        role: from_config(section.pop(role, None), f"limits.{role}") for role in ("user", "admin")
    }
    known = {
        "counters",
        "redis_url",
        "redis_key_prefix",
        "redis_timeout_seconds",
        "when_unavailable",
        "cache_seconds",
    }
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(f"limits: unknown settings {unknown}")
    config = LimitsConfig(roles=roles, currency=currency, **section)
    for name in ("redis_url", "redis_key_prefix"):
        if not isinstance(getattr(config, name), str):
            raise ValueError(f"limits.{name} must be a string (quote it in YAML)")
    if config.counters not in ("memory", "redis"):
        raise ValueError(f"limits.counters must be memory or redis, not {config.counters!r}")
    if config.when_unavailable not in ("open", "closed"):
        raise ValueError(
            f"limits.when_unavailable must be open or closed, not {config.when_unavailable!r}"
        )
    model_limits: dict[str, Limits] = {}
    prices: dict[str, Price] = {}
    for entry in models:
        model_id = str(entry.get("id", ""))
        if entry.get("limits"):
            model_limits[model_id] = from_config(entry["limits"], f"model {model_id}: limits")
        if entry.get("price"):
            price = entry["price"]
            try:
                prices[model_id] = Price(
                    float(price.get("input_per_million", 0)),
                    float(price.get("output_per_million", 0)),
                )
            except (TypeError, ValueError, AttributeError):
                raise ValueError(
                    f"model {model_id}: price needs numbers "
                    "input_per_million and output_per_million"
                ) from None
    return replace(config, models=model_limits, prices=prices)
