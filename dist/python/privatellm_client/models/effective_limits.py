from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.limit_status import LimitStatus


T = TypeVar("T", bound="EffectiveLimits")


@_attrs_define
class EffectiveLimits:
    """The limits that apply to a key's requests, and what is left of each.

    Attributes:
        api_key (str | Unset): Resource name of the key, `apiKeys/{id}`.
        user (str | Unset): The key's user.
        model (str | Unset): The model the model limits are of.
        models (list[str] | Unset): The models the key may use; every model when empty.
        limits (list[LimitStatus] | Unset): Every limit set on the key, its user or the model; a user's
             `max_message_bytes` with the bytes it holds as `used` (no `resetTime`:
             only deleting conversations frees them).
    """

    api_key: str | Unset = UNSET
    user: str | Unset = UNSET
    model: str | Unset = UNSET
    models: list[str] | Unset = UNSET
    limits: list[LimitStatus] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_key = self.api_key

        user = self.user

        model = self.model

        models: list[str] | Unset = UNSET
        if not isinstance(self.models, Unset):
            models = self.models

        limits: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = []
            for limits_item_data in self.limits:
                limits_item = limits_item_data.to_dict()
                limits.append(limits_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if api_key is not UNSET:
            field_dict["apiKey"] = api_key
        if user is not UNSET:
            field_dict["user"] = user
        if model is not UNSET:
            field_dict["model"] = model
        if models is not UNSET:
            field_dict["models"] = models
        if limits is not UNSET:
            field_dict["limits"] = limits

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.limit_status import LimitStatus  # noqa: PLC0415

        d = dict(src_dict)
        api_key = d.pop("apiKey", UNSET)

        user = d.pop("user", UNSET)

        model = d.pop("model", UNSET)

        models = cast(list[str], d.pop("models", UNSET))

        _limits = d.pop("limits", UNSET)
        limits: list[LimitStatus] | Unset = UNSET
        if _limits is not UNSET:
            limits = []
            for limits_item_data in _limits:
                limits_item = LimitStatus.from_dict(limits_item_data)

                limits.append(limits_item)

        effective_limits = cls(
            api_key=api_key,
            user=user,
            model=model,
            models=models,
            limits=limits,
        )

        effective_limits.additional_properties = d
        return effective_limits

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
