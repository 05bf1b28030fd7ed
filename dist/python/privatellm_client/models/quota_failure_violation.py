from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quota_failure_violation_quota_dimensions import QuotaFailureViolationQuotaDimensions


T = TypeVar("T", bound="QuotaFailureViolation")


@_attrs_define
class QuotaFailureViolation:
    """A message type used to describe a single quota violation.  For example, a
    daily quota or a custom quota that was exceeded.

       Attributes:
           subject (str | Unset): The subject on which the quota check failed.
                For example, "clientip:<ip address of client>" or "project:<Google
                developer project id>".
           description (str | Unset): A description of how the quota check failed. Clients can use this
                description to find more about the quota configuration in the service's
                public documentation, or find the relevant quota limit to adjust through
                developer console.

                For example: "Service disabled" or "Daily Limit for read operations
                exceeded".
           api_service (str | Unset): The API Service from which the `QuotaFailure.Violation` orginates. In
                some cases, Quota issues originate from an API Service other than the one
                that was called. In other words, a dependency of the called API Service
                could be the cause of the `QuotaFailure`, and this field would have the
                dependency API service name.

                For example, if the called API is Kubernetes Engine API
                (container.googleapis.com), and a quota violation occurs in the
                Kubernetes Engine API itself, this field would be
                "container.googleapis.com". On the other hand, if the quota violation
                occurs when the Kubernetes Engine API creates VMs in the Compute Engine
                API (compute.googleapis.com), this field would be
                "compute.googleapis.com".
           quota_metric (str | Unset): The metric of the violated quota. A quota metric is a named counter to
                measure usage, such as API requests or CPUs. When an activity occurs in a
                service, such as Virtual Machine allocation, one or more quota metrics
                may be affected.

                For example, "compute.googleapis.com/cpus_per_vm_family",
                "storage.googleapis.com/internet_egress_bandwidth".
           quota_id (str | Unset): The id of the violated quota. Also know as "limit name", this is the
                unique identifier of a quota in the context of an API service.

                For example, "CPUS-PER-VM-FAMILY-per-project-region".
           quota_dimensions (QuotaFailureViolationQuotaDimensions | Unset): The dimensions of the violated quota. Every
               non-global quota is enforced
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
           quota_value (str | Unset): The enforced quota value at the time of the `QuotaFailure`.

                For example, if the enforced quota value at the time of the
                `QuotaFailure` on the number of CPUs is "10", then the value of this
                field would reflect this quantity.
           future_quota_value (str | Unset): The new quota value being rolled out at the time of the violation. At the
                completion of the rollout, this value will be enforced in place of
                quota_value. If no rollout is in progress at the time of the violation,
                this field is not set.

                For example, if at the time of the violation a rollout is in progress
                changing the number of CPUs quota from 10 to 20, 20 would be the value of
                this field.
    """

    subject: str | Unset = UNSET
    description: str | Unset = UNSET
    api_service: str | Unset = UNSET
    quota_metric: str | Unset = UNSET
    quota_id: str | Unset = UNSET
    quota_dimensions: QuotaFailureViolationQuotaDimensions | Unset = UNSET
    quota_value: str | Unset = UNSET
    future_quota_value: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        description = self.description

        api_service = self.api_service

        quota_metric = self.quota_metric

        quota_id = self.quota_id

        quota_dimensions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.quota_dimensions, Unset):
            quota_dimensions = self.quota_dimensions.to_dict()

        quota_value = self.quota_value

        future_quota_value = self.future_quota_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if subject is not UNSET:
            field_dict["subject"] = subject
        if description is not UNSET:
            field_dict["description"] = description
        if api_service is not UNSET:
            field_dict["apiService"] = api_service
        if quota_metric is not UNSET:
            field_dict["quotaMetric"] = quota_metric
        if quota_id is not UNSET:
            field_dict["quotaId"] = quota_id
        if quota_dimensions is not UNSET:
            field_dict["quotaDimensions"] = quota_dimensions
        if quota_value is not UNSET:
            field_dict["quotaValue"] = quota_value
        if future_quota_value is not UNSET:
            field_dict["futureQuotaValue"] = future_quota_value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quota_failure_violation_quota_dimensions import QuotaFailureViolationQuotaDimensions  # noqa: PLC0415

        d = dict(src_dict)
        subject = d.pop("subject", UNSET)

        description = d.pop("description", UNSET)

        api_service = d.pop("apiService", UNSET)

        quota_metric = d.pop("quotaMetric", UNSET)

        quota_id = d.pop("quotaId", UNSET)

        _quota_dimensions = d.pop("quotaDimensions", UNSET)
        quota_dimensions: QuotaFailureViolationQuotaDimensions | Unset
        if isinstance(_quota_dimensions, Unset):
            quota_dimensions = UNSET
        else:
            quota_dimensions = QuotaFailureViolationQuotaDimensions.from_dict(_quota_dimensions)

        quota_value = d.pop("quotaValue", UNSET)

        future_quota_value = d.pop("futureQuotaValue", UNSET)

        quota_failure_violation = cls(
            subject=subject,
            description=description,
            api_service=api_service,
            quota_metric=quota_metric,
            quota_id=quota_id,
            quota_dimensions=quota_dimensions,
            quota_value=quota_value,
            future_quota_value=future_quota_value,
        )

        quota_failure_violation.additional_properties = d
        return quota_failure_violation

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
