from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LimitStatus")


@_attrs_define
class LimitStatus:
    """One limit that applies, and how much of it is left.

    Attributes:
        scope (str | Unset): Whose limit: `apiKeys/{id}`, `users/{id}` or `models/{id}`.
        limit (str | Unset): Which limit: a field name of Limits, e.g. `requests_per_minute`.
        value (float | Unset): The cap (tokens, requests, streams or currency).
        used (float | Unset): Used in the current window.
        remaining (float | Unset): Left in the current window.
        reset_time (datetime.datetime | Unset): When the window next frees something (a rolling minute) or restarts
             (a day or month); absent when nothing is used.
    """

    scope: str | Unset = UNSET
    limit: str | Unset = UNSET
    value: float | Unset = UNSET
    used: float | Unset = UNSET
    remaining: float | Unset = UNSET
    reset_time: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope = self.scope

        limit = self.limit

        value = self.value

        used = self.used

        remaining = self.remaining

        reset_time: str | Unset = UNSET
        if not isinstance(self.reset_time, Unset):
            reset_time = self.reset_time.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if scope is not UNSET:
            field_dict["scope"] = scope
        if limit is not UNSET:
            field_dict["limit"] = limit
        if value is not UNSET:
            field_dict["value"] = value
        if used is not UNSET:
            field_dict["used"] = used
        if remaining is not UNSET:
            field_dict["remaining"] = remaining
        if reset_time is not UNSET:
            field_dict["resetTime"] = reset_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scope = d.pop("scope", UNSET)

        limit = d.pop("limit", UNSET)

        value = d.pop("value", UNSET)

        used = d.pop("used", UNSET)

        remaining = d.pop("remaining", UNSET)

        _reset_time = d.pop("resetTime", UNSET)
        reset_time: datetime.datetime | Unset
        if isinstance(_reset_time, Unset):
            reset_time = UNSET
        else:
            reset_time = datetime.datetime.fromisoformat(_reset_time)

        limit_status = cls(
            scope=scope,
            limit=limit,
            value=value,
            used=used,
            remaining=remaining,
            reset_time=reset_time,
        )

        limit_status.additional_properties = d
        return limit_status

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
