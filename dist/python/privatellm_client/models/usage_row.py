from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageRow")


@_attrs_define
class UsageRow:
    """Usage of one user with one model on one day.

    Attributes:
        date (str | Unset): The day, `YYYY-MM-DD` (UTC).
        user (str | Unset): The user id.
        model (str | Unset): The model id.
        requests (str | Unset): Generations requested (failed ones included).
        input_tokens (str | Unset): Prompt tokens.
        output_tokens (str | Unset): Answer tokens.
        cost (float | Unset): What these tokens cost, at the model's configured prices, in the
             deployment's currency (see `currency` on the report).
    """

    date: str | Unset = UNSET
    user: str | Unset = UNSET
    model: str | Unset = UNSET
    requests: str | Unset = UNSET
    input_tokens: str | Unset = UNSET
    output_tokens: str | Unset = UNSET
    cost: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        user = self.user

        model = self.model

        requests = self.requests

        input_tokens = self.input_tokens

        output_tokens = self.output_tokens

        cost = self.cost

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if date is not UNSET:
            field_dict["date"] = date
        if user is not UNSET:
            field_dict["user"] = user
        if model is not UNSET:
            field_dict["model"] = model
        if requests is not UNSET:
            field_dict["requests"] = requests
        if input_tokens is not UNSET:
            field_dict["inputTokens"] = input_tokens
        if output_tokens is not UNSET:
            field_dict["outputTokens"] = output_tokens
        if cost is not UNSET:
            field_dict["cost"] = cost

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = d.pop("date", UNSET)

        user = d.pop("user", UNSET)

        model = d.pop("model", UNSET)

        requests = d.pop("requests", UNSET)

        input_tokens = d.pop("inputTokens", UNSET)

        output_tokens = d.pop("outputTokens", UNSET)

        cost = d.pop("cost", UNSET)

        usage_row = cls(
            date=date,
            user=user,
            model=model,
            requests=requests,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost=cost,
        )

        usage_row.additional_properties = d
        return usage_row

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
