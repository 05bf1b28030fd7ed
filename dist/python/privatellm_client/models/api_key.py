from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.api_key_role import ApiKeyRole
from ..models.api_key_state import ApiKeyState
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.limits import Limits


T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """An API key, without its secret.

    Attributes:
        name (str | Unset): Resource name, `apiKeys/{api_key}`.
        id (str | Unset): The key's id: the last segment of `name` (not the secret).
        display_name (str | Unset): A label to recognise the key by. Any Unicode text but U+0000 (NUL), which
             is refused with INVALID_ARGUMENT (3). Example: CI pipeline.
        user (str | Unset): The user the key acts as; the caller's own user when empty. Example: alice.
        role (ApiKeyRole | Unset): What the key may do; USER when unset.
        prefix (str | Unset): The first characters of the secret, to recognise it in lists.
        state (ApiKeyState | Unset): Whether the key is usable.
        create_time (datetime.datetime | Unset): When the key was created.
        revoke_time (datetime.datetime | Unset): When the key was revoked; absent while it is active.
        limits (Limits | Unset): Caps on what may be used. An unset field is unlimited. Token counts are
             prompt plus answer; costs are in the deployment's currency (see the
             models' prices in the server's configuration). The 64-bit token budgets
             are JSON strings, as proto3's JSON mapping writes 64-bit integers.
        etag (str | Unset): Opaque version tag; changes on every update. Send it back on update to
             act only if nobody changed the key meanwhile.
    """

    name: str | Unset = UNSET
    id: str | Unset = UNSET
    display_name: str | Unset = UNSET
    user: str | Unset = UNSET
    role: ApiKeyRole | Unset = UNSET
    prefix: str | Unset = UNSET
    state: ApiKeyState | Unset = UNSET
    create_time: datetime.datetime | Unset = UNSET
    revoke_time: datetime.datetime | Unset = UNSET
    limits: Limits | Unset = UNSET
    etag: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        display_name = self.display_name

        user = self.user

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        prefix = self.prefix

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        create_time: str | Unset = UNSET
        if not isinstance(self.create_time, Unset):
            create_time = self.create_time.isoformat()

        revoke_time: str | Unset = UNSET
        if not isinstance(self.revoke_time, Unset):
            revoke_time = self.revoke_time.isoformat()

        limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = self.limits.to_dict()

        etag = self.etag

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if id is not UNSET:
            field_dict["id"] = id
        if display_name is not UNSET:
            field_dict["displayName"] = display_name
        if user is not UNSET:
            field_dict["user"] = user
        if role is not UNSET:
            field_dict["role"] = role
        if prefix is not UNSET:
            field_dict["prefix"] = prefix
        if state is not UNSET:
            field_dict["state"] = state
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if revoke_time is not UNSET:
            field_dict["revokeTime"] = revoke_time
        if limits is not UNSET:
            field_dict["limits"] = limits
        if etag is not UNSET:
            field_dict["etag"] = etag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.limits import Limits  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        id = d.pop("id", UNSET)

        display_name = d.pop("displayName", UNSET)

        user = d.pop("user", UNSET)

        _role = d.pop("role", UNSET)
        role: ApiKeyRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = ApiKeyRole(_role)

        prefix = d.pop("prefix", UNSET)

        _state = d.pop("state", UNSET)
        state: ApiKeyState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = ApiKeyState(_state)

        _create_time = d.pop("createTime", UNSET)
        create_time: datetime.datetime | Unset
        if isinstance(_create_time, Unset):
            create_time = UNSET
        else:
            create_time = datetime.datetime.fromisoformat(_create_time)

        _revoke_time = d.pop("revokeTime", UNSET)
        revoke_time: datetime.datetime | Unset
        if isinstance(_revoke_time, Unset):
            revoke_time = UNSET
        else:
            revoke_time = datetime.datetime.fromisoformat(_revoke_time)

        _limits = d.pop("limits", UNSET)
        limits: Limits | Unset
        if isinstance(_limits, Unset):
            limits = UNSET
        else:
            limits = Limits.from_dict(_limits)

        etag = d.pop("etag", UNSET)

        api_key = cls(
            name=name,
            id=id,
            display_name=display_name,
            user=user,
            role=role,
            prefix=prefix,
            state=state,
            create_time=create_time,
            revoke_time=revoke_time,
            limits=limits,
            etag=etag,
        )

        return api_key
