from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quota_violation import QuotaViolation


T = TypeVar("T", bound="QuotaErrorDetail")


@_attrs_define
class QuotaErrorDetail:
    """A detail of a RESOURCE_EXHAUSTED answer: `google.rpc.QuotaFailure`
    (`violations`) or `google.rpc.RetryInfo` (`retryDelay`), as its `@type` says.

       Attributes:
           type_ (str | Unset): `type.googleapis.com/google.rpc.QuotaFailure` or
               `type.googleapis.com/google.rpc.RetryInfo`.
           violations (list[QuotaViolation] | Unset): QuotaFailure: the limits the request would exceed. `subject` is whose
                limit (`apiKeys/{id}`, `users/{id}`, `models/{id}`) and `description`
                says which, e.g. `requests_per_minute: 50`.
           retry_delay (str | Unset): RetryInfo: how long to wait before the request would be admitted.
    """

    type_: str | Unset = UNSET
    violations: list[QuotaViolation] | Unset = UNSET
    retry_delay: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        violations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.violations, Unset):
            violations = []
            for violations_item_data in self.violations:
                violations_item = violations_item_data.to_dict()
                violations.append(violations_item)

        retry_delay = self.retry_delay

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["@type"] = type_
        if violations is not UNSET:
            field_dict["violations"] = violations
        if retry_delay is not UNSET:
            field_dict["retryDelay"] = retry_delay

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quota_violation import QuotaViolation  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("@type", UNSET)

        _violations = d.pop("violations", UNSET)
        violations: list[QuotaViolation] | Unset = UNSET
        if _violations is not UNSET:
            violations = []
            for violations_item_data in _violations:
                violations_item = QuotaViolation.from_dict(violations_item_data)

                violations.append(violations_item)

        retry_delay = d.pop("retryDelay", UNSET)

        quota_error_detail = cls(
            type_=type_,
            violations=violations,
            retry_delay=retry_delay,
        )

        quota_error_detail.additional_properties = d
        return quota_error_detail

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
