from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_row import UsageRow


T = TypeVar("T", bound="UsageReport")


@_attrs_define
class UsageReport:
    """Usage over a date range.

    Attributes:
        start_date (str | Unset): First day of the report, `YYYY-MM-DD`.
        end_date (str | Unset): Last day of the report, `YYYY-MM-DD`.
        rows (list[UsageRow] | Unset): One row per day, user and model with any usage, by date then user then model.
        total_requests (str | Unset): Generations over all rows.
        total_input_tokens (str | Unset): Prompt tokens over all rows.
        total_output_tokens (str | Unset): Answer tokens over all rows.
        total_cost (float | Unset): Cost over all rows.
        currency (str | Unset): The currency of the costs (ISO 4217, e.g. `USD`), from the server's configuration.
    """

    start_date: str | Unset = UNSET
    end_date: str | Unset = UNSET
    rows: list[UsageRow] | Unset = UNSET
    total_requests: str | Unset = UNSET
    total_input_tokens: str | Unset = UNSET
    total_output_tokens: str | Unset = UNSET
    total_cost: float | Unset = UNSET
    currency: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start_date = self.start_date

        end_date = self.end_date

        rows: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rows, Unset):
            rows = []
            for rows_item_data in self.rows:
                rows_item = rows_item_data.to_dict()
                rows.append(rows_item)

        total_requests = self.total_requests

        total_input_tokens = self.total_input_tokens

        total_output_tokens = self.total_output_tokens

        total_cost = self.total_cost

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if start_date is not UNSET:
            field_dict["startDate"] = start_date
        if end_date is not UNSET:
            field_dict["endDate"] = end_date
        if rows is not UNSET:
            field_dict["rows"] = rows
        if total_requests is not UNSET:
            field_dict["totalRequests"] = total_requests
        if total_input_tokens is not UNSET:
            field_dict["totalInputTokens"] = total_input_tokens
        if total_output_tokens is not UNSET:
            field_dict["totalOutputTokens"] = total_output_tokens
        if total_cost is not UNSET:
            field_dict["totalCost"] = total_cost
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_row import UsageRow  # noqa: PLC0415

        d = dict(src_dict)
        start_date = d.pop("startDate", UNSET)

        end_date = d.pop("endDate", UNSET)

        _rows = d.pop("rows", UNSET)
        rows: list[UsageRow] | Unset = UNSET
        if _rows is not UNSET:
            rows = []
            for rows_item_data in _rows:
                rows_item = UsageRow.from_dict(rows_item_data)

                rows.append(rows_item)

        total_requests = d.pop("totalRequests", UNSET)

        total_input_tokens = d.pop("totalInputTokens", UNSET)

        total_output_tokens = d.pop("totalOutputTokens", UNSET)

        total_cost = d.pop("totalCost", UNSET)

        currency = d.pop("currency", UNSET)

        usage_report = cls(
            start_date=start_date,
            end_date=end_date,
            rows=rows,
            total_requests=total_requests,
            total_input_tokens=total_input_tokens,
            total_output_tokens=total_output_tokens,
            total_cost=total_cost,
            currency=currency,
        )

        usage_report.additional_properties = d
        return usage_report

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
