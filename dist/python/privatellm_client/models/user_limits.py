from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.limits import Limits


T = TypeVar("T", bound="UserLimits")


@_attrs_define
class UserLimits:
    """The limits of one user: all of its keys together.

    Attributes:
        name (str | Unset): Resource name, `users/{user}/limits`.
        user (str | Unset): The user id.
        limits (Limits | Unset): Caps on what may be used. An unset field is unlimited. Token counts are
             prompt plus answer; costs are in the deployment's currency (see the
             models' prices in the server's configuration). The 64-bit token budgets
             are JSON strings, as proto3's JSON mapping writes 64-bit integers.
        etag (str | Unset): Opaque version tag; changes on every update.
        update_time (datetime.datetime | Unset): When the limits were last set; absent while they are the defaults.
    """

    name: str | Unset = UNSET
    user: str | Unset = UNSET
    limits: Limits | Unset = UNSET
    etag: str | Unset = UNSET
    update_time: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        user = self.user

        limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = self.limits.to_dict()

        etag = self.etag

        update_time: str | Unset = UNSET
        if not isinstance(self.update_time, Unset):
            update_time = self.update_time.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if user is not UNSET:
            field_dict["user"] = user
        if limits is not UNSET:
            field_dict["limits"] = limits
        if etag is not UNSET:
            field_dict["etag"] = etag
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.limits import Limits  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        user = d.pop("user", UNSET)

        _limits = d.pop("limits", UNSET)
        limits: Limits | Unset
        if isinstance(_limits, Unset):
            limits = UNSET
        else:
            limits = Limits.from_dict(_limits)

        etag = d.pop("etag", UNSET)

        _update_time = d.pop("updateTime", UNSET)
        update_time: datetime.datetime | Unset
        if isinstance(_update_time, Unset):
            update_time = UNSET
        else:
            update_time = datetime.datetime.fromisoformat(_update_time)

        user_limits = cls(
            name=name,
            user=user,
            limits=limits,
            etag=etag,
            update_time=update_time,
        )

        return user_limits
