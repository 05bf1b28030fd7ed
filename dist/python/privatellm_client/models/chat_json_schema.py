from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_json_schema_schema import ChatJsonSchemaSchema


T = TypeVar("T", bound="ChatJsonSchema")


@_attrs_define
class ChatJsonSchema:
    """A named JSON Schema for the answer.

    Attributes:
        name (str): Its name: letters, digits, `_` and `-`, up to 64.
        description (str | Unset): What the answer is, for the model.
        schema (ChatJsonSchemaSchema | Unset): The JSON Schema the answer must match.
        strict (bool | Unset): Whether the answer must follow the schema exactly.
    """

    name: str
    description: str | Unset = UNSET
    schema: ChatJsonSchemaSchema | Unset = UNSET
    strict: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        schema: dict[str, Any] | Unset = UNSET
        if not isinstance(self.schema, Unset):
            schema = self.schema.to_dict()

        strict = self.strict

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if schema is not UNSET:
            field_dict["schema"] = schema
        if strict is not UNSET:
            field_dict["strict"] = strict

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_json_schema_schema import ChatJsonSchemaSchema  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        _schema = d.pop("schema", UNSET)
        schema: ChatJsonSchemaSchema | Unset
        if isinstance(_schema, Unset):
            schema = UNSET
        else:
            schema = ChatJsonSchemaSchema.from_dict(_schema)

        strict = d.pop("strict", UNSET)

        chat_json_schema = cls(
            name=name,
            description=description,
            schema=schema,
            strict=strict,
        )

        chat_json_schema.additional_properties = d
        return chat_json_schema

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
