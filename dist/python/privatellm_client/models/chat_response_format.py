from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_json_schema import ChatJsonSchema


T = TypeVar("T", bound="ChatResponseFormat")


@_attrs_define
class ChatResponseFormat:
    """The shape of the answer: `text`, `json_object` (some JSON object), or
    `json_schema` (JSON matching `json_schema.schema`).

       Attributes:
           type_ (str): `text`, `json_object` or `json_schema`. Example: json_object.
           json_schema (ChatJsonSchema | Unset): A named JSON Schema for the answer.
    """

    type_: str
    json_schema: ChatJsonSchema | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        json_schema: dict[str, Any] | Unset = UNSET
        if not isinstance(self.json_schema, Unset):
            json_schema = self.json_schema.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if json_schema is not UNSET:
            field_dict["json_schema"] = json_schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_json_schema import ChatJsonSchema  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        _json_schema = d.pop("json_schema", UNSET)
        json_schema: ChatJsonSchema | Unset
        if isinstance(_json_schema, Unset):
            json_schema = UNSET
        else:
            json_schema = ChatJsonSchema.from_dict(_json_schema)

        chat_response_format = cls(
            type_=type_,
            json_schema=json_schema,
        )

        chat_response_format.additional_properties = d
        return chat_response_format

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
