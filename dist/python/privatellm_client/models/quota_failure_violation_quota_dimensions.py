from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="QuotaFailureViolationQuotaDimensions")


@_attrs_define
class QuotaFailureViolationQuotaDimensions:
    """The dimensions of the violated quota. Every non-global quota is enforced
    on a set of dimensions. While quota metric defines what to count, the
    dimensions specify for what aspects the counter should be increased.

    For example, the quota "CPUs per region per VM family" enforces a limit
    on the metric "compute.googleapis.com/cpus_per_vm_family" on dimensions
    "region" and "vm_family". And if the violation occurred in region
    "us-central1" and for VM family "n1", the quota_dimensions would be,

    {
      "region": "us-central1",
      "vm_family": "n1",
    }

    When a quota is enforced globally, the quota_dimensions would always be
    empty.

    """

    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        quota_failure_violation_quota_dimensions = cls()

        quota_failure_violation_quota_dimensions.additional_properties = d
        return quota_failure_violation_quota_dimensions

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
